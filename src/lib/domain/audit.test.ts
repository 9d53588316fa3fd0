import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
	AUDIT_KINDS,
	GENESIS_HASH,
	nextAuditRow,
	verifyChain,
	type AuditEvent,
	type AuditRow
} from './audit';

const AT = '2026-03-01T08:00:00.000Z';

/** A chain of n rows built the way the server builds it. */
async function chain(events: AuditEvent[]): Promise<AuditRow[]> {
	const rows: AuditRow[] = [];
	for (const event of events) {
		rows.push(await nextAuditRow(rows.at(-1) ?? null, AT, 'admin-1', event));
	}
	return rows;
}

const viewed = (n: number): AuditEvent => ({
	kind: 'envelope.viewed',
	subject: `env-${n}`,
	data: { revision: n }
});

describe('audit rows (A2, A3)', () => {
	it('A2 A3: the first row is seq 1 after 64 zeros, its hash is SHA-256 of the canonical row', async () => {
		const row = await nextAuditRow(null, AT, 'u1', {
			kind: 'passkey.enrolled',
			subject: 'u1',
			data: { name: '我的手机', credentialId: 'cred' }
		});
		expect(row.seq).toBe(1);
		expect(row.prevHash).toBe(GENESIS_HASH);
		expect(row.prevHash).toMatch(/^0{64}$/);
		// Keys sorted, data's keys sorted, no whitespace: written out by hand as RFC 8785 does.
		const canonical =
			`{"actor":"u1","at":"${AT}","data":{"credentialId":"cred","name":"我的手机"},` +
			`"kind":"passkey.enrolled","prevHash":"${GENESIS_HASH}","seq":1,"subject":"u1"}`;
		expect(row.hash).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
		expect(row.data).toBe('{"credentialId":"cred","name":"我的手机"}');
	});

	it('A3: each next row links to the previous hash with seq + 1', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3)]);
		expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
		expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
		expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
		expect(new Set(rows.map((r) => r.hash)).size).toBe(3);
	});

	it('A1: the kind list names every kind of the union once', () => {
		expect(new Set(AUDIT_KINDS).size).toBe(AUDIT_KINDS.length);
		for (const kind of ['invite.created', 'login', 'seal.revoked', 'review.flagged']) {
			expect(AUDIT_KINDS).toContain(kind);
		}
	});
});

describe('verifyChain (A5, A6)', () => {
	it('A5: an intact chain is ok and every row is counted; an empty log is ok', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3), viewed(4)]);
		expect(await verifyChain(rows)).toMatchObject({ ok: true, checked: 4, firstBroken: null });
		expect(await verifyChain([])).toMatchObject({ ok: true, checked: 0, firstBroken: null });
	});

	it('A6: changed data is a hash mismatch at that row', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3)]);
		rows[1] = { ...rows[1]!, data: '{"revision":99}' };
		expect(await verifyChain(rows)).toMatchObject({
			ok: false,
			checked: 2,
			firstBroken: { seq: 2, reason: 'hash-mismatch' }
		});
	});

	it('A6: a changed row with a recomputed hash breaks the next row’s link', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3)]);
		const forged = await nextAuditRow(rows[0]!, AT, 'admin-1', viewed(42));
		rows[1] = forged;
		expect((await verifyChain(rows)).firstBroken).toEqual({ seq: 3, reason: 'prev-link-broken' });
	});

	it('A6: a removed middle row or a removed first row is a seq gap at the row after it', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3), viewed(4)]);
		expect((await verifyChain([rows[0]!, rows[2]!, rows[3]!])).firstBroken).toEqual({
			seq: 3,
			reason: 'seq-gap'
		});
		expect((await verifyChain(rows.slice(1))).firstBroken).toEqual({ seq: 2, reason: 'seq-gap' });
	});

	it('A8: rows cut from the end leave a chain that verifies; only the reported count shows it', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3), viewed(4)]);
		const earlier = await verifyChain(rows);
		const cut = await verifyChain(rows.slice(0, 2));
		expect(cut).toMatchObject({ ok: true, firstBroken: null });
		// What an operator compares: the count from an earlier verify is larger than today's.
		expect(earlier.checked - cut.checked).toBe(2);
	});

	it('A6: non-canonical or unreadable data is data-invalid, even when the value is equal', async () => {
		const rows = await chain([viewed(1), viewed(2)]);
		const spaced = [rows[0]!, { ...rows[1]!, data: '{ "revision": 2 }' }];
		expect((await verifyChain(spaced)).firstBroken).toEqual({ seq: 2, reason: 'data-invalid' });
		const broken = [{ ...rows[0]!, data: '{' }, rows[1]!];
		expect((await verifyChain(broken)).firstBroken).toEqual({ seq: 1, reason: 'data-invalid' });
	});

	it('A6: a changed time, actor, kind or subject is a hash mismatch', async () => {
		for (const change of [
			{ at: '2026-03-01T08:00:00.001Z' },
			{ actor: 'someone-else' },
			{ actor: null },
			{ kind: 'envelope.downloaded' },
			{ subject: 'env-x' }
		]) {
			const rows = await chain([viewed(1), viewed(2)]);
			rows[0] = { ...rows[0]!, ...change };
			expect((await verifyChain(rows)).firstBroken).toEqual({ seq: 1, reason: 'hash-mismatch' });
		}
	});

	it('A5: a check continued from a head across batches equals one check of all rows', async () => {
		const rows = await chain([viewed(1), viewed(2), viewed(3), viewed(4), viewed(5)]);
		const first = await verifyChain(rows.slice(0, 2));
		expect(first.head).toEqual({ seq: 2, hash: rows[1]!.hash });
		expect(await verifyChain(rows.slice(2), first.head)).toMatchObject({ ok: true, checked: 3 });
		rows[3] = { ...rows[3]!, data: '{"revision":0}' };
		expect((await verifyChain(rows.slice(2), first.head)).firstBroken).toEqual({
			seq: 4,
			reason: 'hash-mismatch'
		});
	});
});
