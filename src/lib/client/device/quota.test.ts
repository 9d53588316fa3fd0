import { describe, expect, it } from 'vitest';
import { isQuotaError } from './quota';

const named = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('isQuotaError', () => {
	it('counts the quota error and Chromium’s full-disk write failures, bare or wrapped by Dexie', () => {
		expect(isQuotaError(named('QuotaExceededError'))).toBe(true);
		expect(isQuotaError(named('DataError', 'Failed to write blobs (IOError)'))).toBe(true);
		expect(isQuotaError(named('UnknownError', 'IO error: No space left on device'))).toBe(true);
		expect(
			isQuotaError(
				Object.assign(named('AbortError'), {
					inner: named('DataError', 'Failed to write blobs (IOError)')
				})
			)
		).toBe(true);
	});

	it('leaves other errors alone: a bad key is a DataError too, and not a full disk', () => {
		expect(isQuotaError(named('DataError', 'Evaluating the object store key path failed'))).toBe(
			false
		);
		expect(isQuotaError(named('AbortError'))).toBe(false);
		expect(isQuotaError(null)).toBe(false);
		expect(isQuotaError('QuotaExceededError')).toBe(false);
	});
});
