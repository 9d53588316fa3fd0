import { describe, expect, it } from 'vitest';
import {
	contractState,
	currentRound,
	envelopeStatus,
	fieldsEditable,
	mayResend,
	openForSigning
} from './lifecycle';
import { sampleManifest } from './fixtures';
import type { Manifest } from './manifest';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const signed = (revision = 1): Manifest => sampleManifest({ revision });
const returned = (revision = 1): Manifest =>
	sampleManifest({
		revision,
		decision: { kind: 'rejected', reason: '价格有误' },
		fills: [],
		seals: [],
		ridingSeams: []
	});

describe('contract lifecycle', () => {
	it('LC1: a sent envelope with a return mark is returned; completed and revoked win', () => {
		expect(envelopeStatus('sent', null)).toBe('sent');
		expect(envelopeStatus('sent', '2026-02-20T08:00:00.000Z')).toBe('returned');
		expect(envelopeStatus('revoked', '2026-02-20T08:00:00.000Z')).toBe('revoked');
		expect(envelopeStatus('completed', null)).toBe('completed');
		expect(envelopeStatus('draft', null)).toBe('draft');
	});

	it('LC1, LC6: sent until somebody signs this round, then in progress; other statuses are their own state', () => {
		expect(contractState('sent', [], null, NOW)).toBe('sent');
		expect(contractState('sent', [signed()], null, NOW)).toBe('in-progress');
		// A return alone is no progress; the envelope is then returned anyway (LC3).
		expect(contractState('sent', [returned()], null, NOW)).toBe('sent');
		for (const status of ['draft', 'returned', 'completed', 'revoked'] as const) {
			expect(contractState(status, [signed()], null, NOW)).toBe(status);
		}
	});

	it('LC7: a sent envelope past its deadline shows as expired; a returned one stays returned', () => {
		const past = '2026-02-28T23:59:59.000Z';
		const future = '2026-03-02T00:00:00.000Z';
		expect(contractState('sent', [signed()], past, NOW)).toBe('expired');
		expect(contractState('sent', [signed()], future, NOW)).toBe('in-progress');
		expect(contractState('returned', [], past, NOW)).toBe('returned');
		expect(contractState('completed', [], past, NOW)).toBe('completed');
	});

	it('LC2: the current round is the decisions made for the current revision', () => {
		const old = returned(1);
		const again = signed(2);
		expect(currentRound({ revision: 2 }, [old, again])).toEqual([again]);
		expect(currentRound({ revision: 1 }, [old, again])).toEqual([old]);
		expect(currentRound({ revision: 3 }, [old, again])).toEqual([]);
	});

	it('LC3, LC4, LC5: a returned contract is closed for signing, editable and resendable; nothing else is resent', () => {
		expect(openForSigning('sent')).toBe(true);
		for (const status of ['draft', 'returned', 'completed', 'revoked'] as const) {
			expect(openForSigning(status)).toBe(false);
		}
		expect(mayResend('returned')).toBe(true);
		for (const status of ['draft', 'sent', 'completed', 'revoked'] as const) {
			expect(mayResend(status)).toBe(false);
		}
		expect(fieldsEditable('returned')).toBe(true);
		expect(fieldsEditable('draft')).toBe(true);
		expect(fieldsEditable('sent')).toBe(false);
		expect(fieldsEditable('completed')).toBe(false);
	});
});
