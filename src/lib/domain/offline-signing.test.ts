import { describe, expect, it } from 'vitest';
import {
	checkReason,
	localDate,
	needsCjkFont,
	oneClickDraft,
	pickTicket,
	prunableTickets,
	ticketSupply,
	TICKET_MARGIN_MS,
	type HeldTicket
} from './offline-signing';
import { composeManifest, emptyDraft } from './draft';
import {
	sampleEnvelope,
	SEAL_IMAGE,
	SIGNATURE_IMAGE,
	sampleSeals,
	SAMPLE_TICKET_ISSUED_AT
} from './fixtures';
import { validateManifest } from './rules';

const now = new Date('2026-05-01T12:00:00Z');
const day = 86_400_000;
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
const ticket = (id: string, expiresIn: number, extra: Partial<HeldTicket> = {}): HeldTicket => ({
	id,
	nonce: `n-${id}`,
	credentialId: 'cred-1',
	expiresAt: at(expiresIn),
	spentBy: null,
	...extra
});

describe('challenge tickets on the device', () => {
	it('D1/D2: spends the usable ticket that expires first; never a spent, expired or foreign one', () => {
		const pool = [
			ticket('a', 20 * day),
			ticket('b', 10 * day, { spentBy: 3 }),
			ticket('c', -1),
			ticket('d', TICKET_MARGIN_MS - 1),
			ticket('e', 5 * day, { credentialId: 'cred-2' }),
			ticket('f', 15 * day)
		];
		expect(pickTicket(pool, 'cred-1', now)?.id).toBe('f');
		expect(pickTicket(pool, 'cred-2', now)?.id).toBe('e');
		expect(pickTicket(pool.slice(1, 4), 'cred-1', now)).toBeNull();
	});

	it('D2: ties on expiry go to the smaller id whatever the row order', () => {
		const pool = [ticket('z', day * 9), ticket('m', day * 9)];
		expect(pickTicket(pool, 'cred-1', now)?.id).toBe('m');
		expect(pickTicket([...pool].reverse(), 'cred-1', now)?.id).toBe('m');
	});

	it('D3: counts usable tickets and the earliest expiry, with a warning when low, expiring or empty', () => {
		const many = Array.from({ length: 8 }, (_, i) => ticket(`t${i}`, (20 + i) * day));
		expect(ticketSupply(many, 'cred-1', now)).toEqual({
			remaining: 8,
			until: at(20 * day),
			warning: 'none'
		});
		expect(ticketSupply(many.slice(0, 4), 'cred-1', now).warning).toBe('low');
		expect(ticketSupply([...many, ticket('soon', 2 * day)], 'cred-1', now)).toMatchObject({
			remaining: 9,
			until: at(2 * day),
			warning: 'expiring'
		});
		const spent = many.map((t, i) => ({ ...t, spentBy: i + 1 }));
		expect(ticketSupply(spent, 'cred-1', now)).toEqual({
			remaining: 0,
			until: null,
			warning: 'empty'
		});
		// No passkey recorded on this device: nothing can be confirmed offline.
		expect(ticketSupply(many, null, now).warning).toBe('empty');
	});

	it('D4: forgets expired unspent tickets and those of synced rows, keeps those of unsynced rows', () => {
		const pool = [
			ticket('fresh', day),
			ticket('stale', -day),
			ticket('synced', day, { spentBy: 1 }),
			ticket('waiting', -day, { spentBy: 2 })
		];
		expect(prunableTickets(pool, new Set([1]), now).sort()).toEqual(['stale', 'synced']);
	});
});

describe('the 退回 reason', () => {
	it('D5/R16: 1–500 characters after trimming, counted in code points', () => {
		expect(checkReason('   ')).toEqual({ ok: false, length: 0, max: 500 });
		expect(checkReason('  价格有误  ')).toEqual({ ok: true, length: 4, max: 500 });
		expect(checkReason('𠀀'.repeat(500)).ok).toBe(true);
		expect(checkReason('a'.repeat(501))).toMatchObject({ ok: false, length: 501 });
	});

	it('D5: what the dialog accepts, the server accepts (R16)', () => {
		const envelope = sampleEnvelope();
		for (const reason of [' x ', '价'.repeat(500)]) {
			expect(checkReason(reason).ok).toBe(true);
			const manifest = composeManifest({
				envelope,
				signerId: 'alice',
				credentialId: 'cred-1',
				ticket: { id: 't', nonce: 'n' },
				deviceTime: now.toISOString(),
				decision: { kind: 'rejected', reason },
				draft: emptyDraft()
			});
			const problems = validateManifest(envelope, manifest, {
				accepted: [],
				images: new Set(),
				authorisedSeals: new Set(),
				seals: sampleSeals(),
				ticketIssuedAt: SAMPLE_TICKET_ISSUED_AT
			});
			expect(problems.map((p) => p.rule)).not.toContain('R16');
		}
	});
});

describe('one-click marks', () => {
	const envelope = sampleEnvelope();
	const seal = { id: 'seal-1', image: SEAL_IMAGE, sizeMm: { width: 42, height: 42 } };

	it("D6: fills only the signer's empty fields, and keeps what is already marked", () => {
		const start = emptyDraft();
		start.fills['f-sig-a'] = { kind: 'signature', image: 'd'.repeat(64) };
		const draft = oneClickDraft(start, envelope, ['alice'], {
			signature: SIGNATURE_IMAGE,
			seal,
			today: '2026-05-01'
		});
		expect(draft.fills).toEqual({
			'f-sig-a': { kind: 'signature', image: 'd'.repeat(64) },
			'f-seal-a': { kind: 'seal', sealId: 'seal-1', image: SEAL_IMAGE, sizeMm: seal.sizeMm },
			'f-date-a': { kind: 'date', text: '2026-05-01' }
		});
		expect(start.fills['f-seal-a']).toBeUndefined();
	});

	it('D6: a kind with nothing to fill it with stays empty (shown as missing, never wrong)', () => {
		const draft = oneClickDraft(emptyDraft(), envelope, ['alice'], {
			signature: null,
			seal: null,
			today: '2026-05-01'
		});
		expect(Object.keys(draft.fills)).toEqual(['f-date-a']);
	});

	it('D7: the CJK font is needed exactly when the envelope has a date field, whoever fills it', () => {
		expect(needsCjkFont(envelope)).toBe(true);
		expect(
			needsCjkFont({ ...envelope, fields: envelope.fields.filter((f) => f.kind !== 'date') })
		).toBe(false);
		expect(localDate(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
	});
});
