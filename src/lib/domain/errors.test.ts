import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS, isRetryable, toErrorCode } from './errors';

describe('error codes', () => {
	it('maps every code to an HTTP status', () => {
		for (const code of ERROR_CODES) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
	});

	it('degrades an unknown code from a newer server to INTERNAL', () => {
		expect(toErrorCode('SETUP_LINK_USED')).toBe('SETUP_LINK_USED');
		expect(toErrorCode('SOMETHING_NEW')).toBe('INTERNAL');
		expect(toErrorCode(undefined)).toBe('INTERNAL');
	});

	it('retries only network failures and server faults, never a refusal', () => {
		expect(isRetryable('NETWORK')).toBe(true);
		expect(isRetryable('INTERNAL')).toBe(true);
		expect(isRetryable('SETUP_LINK_USED')).toBe(false);
		expect(isRetryable('RATE_LIMITED')).toBe(false);
		expect(isRetryable('ORIGIN_MISMATCH')).toBe(false);
	});
});
