import { describe, expect, it } from 'vitest';
import {
	authenticatorName,
	finalisationHeld,
	finalisationState,
	maskContact,
	shortCredentialId
} from './completion';

describe('completion', () => {
	it('C3: a flagged submission holds finalisation; accepted and reviewed ones do not', () => {
		expect(finalisationHeld(['accepted', 'reviewed-ok'])).toBe(false);
		expect(finalisationHeld([])).toBe(false);
		expect(finalisationHeld(['reviewed-ok', 'flagged'])).toBe(true);
	});

	it('C6: contacts are masked so the person recognises them and nobody can reuse them', () => {
		expect(maskContact('13812345678')).toBe('138****5678');
		expect(maskContact('+86 138-1234-5678')).toBe('+86138****5678');
		expect(maskContact('zhang.wei@example.cn')).toBe('z***@example.cn');
		expect(maskContact('王')).toBe('王*');
		expect(maskContact('王小明')).toBe('王***明');
		expect(maskContact(null)).toBe('—');
	});

	it('C6: credential ids are shortened, known AAGUIDs named, unknown ones left unnamed', () => {
		expect(shortCredentialId('AbCdEfGhIjKlMnOpQrStUv')).toBe('AbCdEfGh…StUv');
		expect(shortCredentialId('short')).toBe('short');
		expect(authenticatorName('EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4')).toBe(
			'Google Password Manager'
		);
		expect(authenticatorName('00000000-0000-0000-0000-000000000000')).toBeNull();
		expect(authenticatorName(null)).toBeNull();
	});

	it('C3–C5: the final file decides "done"; before it, the job says pending, held or failed', () => {
		expect(finalisationState('sent', null, null)).toBe('not-complete');
		expect(finalisationState('completed', null, 'queued')).toBe('pending');
		expect(finalisationState('completed', null, 'running')).toBe('pending');
		expect(finalisationState('completed', null, 'held')).toBe('held');
		expect(finalisationState('completed', null, 'failed')).toBe('failed');
		expect(finalisationState('completed', 'f'.repeat(64), 'done')).toBe('done');
	});
});
