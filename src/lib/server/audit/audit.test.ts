import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { anchorAuditHead, appendAudit, listAudit, recordAudit, verifyAuditLog } from './audit';
import { appendAuthEvent } from '../auth';
import { hmacHex, randomServerKeys, serverKey, useServerKeys } from '../platform/secrets';
import { createInvite, redeemInvite, type InviteDeps } from '../auth';
import { issueSetupToken, redeemSetupToken } from '../auth';
import { revokePasskey } from '../auth';
import { ConsoleNotifier, type NotifyMessage } from '../platform/notify';
import {
	AUDIT_KINDS,
	auditAnchorText,
	nextAuditRow,
	type AuditEvent,
	type AuditKind
} from '$lib/domain/audit';
import { openRawConnection, testDatabaseUrl, testEngine } from '../../../../tests/support/test-db';
import { openSeededDatabase, type SeededDatabase } from '../../../../tests/support/test-server';

// Real databases throughout (SQLite files, or PostgreSQL with TEST_DATABASE_URL); tampering goes
// through a second, raw connection, exactly as someone with access to the database would do it.

const root = fileURLToPath(new URL('../../../..', import.meta.url));

let seeded: SeededDatabase;
let file: string;
let open: OpenDatabase;
let now: Date;
const clock = () => now;
let admin: User;

beforeEach(async () => {
	now = new Date('2026-03-01T08:00:00Z');
	seeded = await openSeededDatabase('audit', clock);
	({ file, open, admin } = seeded);
});
afterEach(() => seeded?.close());

/** One event of every kind; a Record, so the compiler fails when a kind is added without one. */
const SAMPLES: { [K in AuditKind]: Extract<AuditEvent, { kind: K }> } = {
	'invite.created': {
		kind: 'invite.created',
		subject: 'inv-1',
		data: { userId: 'u-2', channel: 'console' }
	},
	'invite.code_wrong': {
		kind: 'invite.code_wrong',
		subject: 'inv-1',
		data: { attempts: 1, ip: '10.0.0.1' }
	},
	'invite.code_resent': {
		kind: 'invite.code_resent',
		subject: 'inv-1',
		data: { ip: '10.0.0.1' }
	},
	'invite.locked': { kind: 'invite.locked', subject: 'inv-1', data: { ip: null } },
	'invite.refused': {
		kind: 'invite.refused',
		subject: null,
		data: { code: 'INVITE_INVALID', ip: '10.0.0.1' }
	},
	'invite.redeemed': {
		kind: 'invite.redeemed',
		subject: 'inv-1',
		data: { userId: 'u-2', ip: '10.0.0.1' }
	},
	'setup.used': { kind: 'setup.used', subject: 'u-1', data: {} },
	'login.code_sent': {
		kind: 'login.code_sent',
		subject: 'u-2',
		data: { channel: 'sms', ip: null }
	},
	'login.code_wrong': {
		kind: 'login.code_wrong',
		subject: 'u-2',
		data: { attempts: 1, ip: '10.0.0.1' }
	},
	'login.code_locked': { kind: 'login.code_locked', subject: 'u-2', data: { ip: '10.0.0.1' } },
	'login.code_refused': {
		kind: 'login.code_refused',
		subject: 'u-2',
		data: { code: 'ACCOUNT_DEACTIVATED', ip: null }
	},
	'login.code': { kind: 'login.code', subject: 'u-2', data: { ip: '10.0.0.1' } },
	'passkey.enrolled': {
		kind: 'passkey.enrolled',
		subject: 'u-2',
		data: { credentialId: 'cred-1', name: '李四的手机' }
	},
	'passkey.revoked': { kind: 'passkey.revoked', subject: 'u-2', data: { credentialId: 'cred-1' } },
	login: { kind: 'login', subject: 'u-2', data: { credentialId: 'cred-2' } },
	'session.switched': { kind: 'session.switched', subject: 'u-2', data: { ip: '10.0.0.1' } },
	'person.joined': {
		kind: 'person.joined',
		subject: 'u-2',
		data: { credentialId: 'cred-2', ip: null }
	},
	'envelope.created': {
		kind: 'envelope.created',
		subject: 'env-1',
		data: { docHash: 'd'.repeat(64), title: '采购合同' }
	},
	'envelope.sent': { kind: 'envelope.sent', subject: 'env-1', data: { revision: 1 } },
	'envelope.viewed': { kind: 'envelope.viewed', subject: 'env-1', data: { revision: 1 } },
	'envelope.downloaded': {
		kind: 'envelope.downloaded',
		subject: 'env-1',
		data: { docHash: 'd'.repeat(64) }
	},
	'envelope.revoked': { kind: 'envelope.revoked', subject: 'env-1', data: { reason: '价格变更' } },
	'member.role-changed': {
		kind: 'member.role-changed',
		subject: 'user-2',
		data: { from: 'signer', to: 'seal_keeper' }
	},
	'member.deactivated': {
		kind: 'member.deactivated',
		subject: 'user-2',
		data: { sessionsEnded: 2, ticketsRevoked: 30 }
	},
	'member.reactivated': { kind: 'member.reactivated', subject: 'user-2', data: {} },
	'recovery.issued': {
		kind: 'recovery.issued',
		subject: 'inv-2',
		data: { userId: 'user-2', channel: 'console', keepPasskeys: false }
	},
	'recovery.id_number_wrong': {
		kind: 'recovery.id_number_wrong',
		subject: 'inv-2',
		data: { attempts: 1, ip: null }
	},
	'recovery.completed': {
		kind: 'recovery.completed',
		subject: 'inv-2',
		data: { userId: 'user-2', passkeysRevoked: 1, sessionsEnded: 1, ticketsRevoked: 30, ip: null }
	},
	'envelope.deadline-changed': {
		kind: 'envelope.deadline-changed',
		subject: 'env-1',
		data: { from: '2026-12-31', to: '2027-01-15' }
	},
	'envelope.finalised': {
		kind: 'envelope.finalised',
		subject: 'env-1',
		data: { sha256: 'f'.repeat(64), renderedSha256: 'e'.repeat(64), size: 1234 }
	},
	'envelope.replaced': {
		kind: 'envelope.replaced',
		subject: 'env-1',
		data: { revision: 2, docHash: 'e'.repeat(64), previousDocHash: 'd'.repeat(64) }
	},
	'envelope.resent': {
		kind: 'envelope.resent',
		subject: 'env-1',
		data: { revision: 3, docHash: 'e'.repeat(64) }
	},
	'submission.signed': {
		kind: 'submission.signed',
		subject: 'sub-1',
		data: { envelopeId: 'env-1', manifestHash: 'f'.repeat(64), ticketId: 't-1', credentialId: 'c' }
	},
	'submission.rejected': {
		kind: 'submission.rejected',
		subject: 'sub-2',
		data: {
			envelopeId: 'env-1',
			manifestHash: 'a'.repeat(64),
			ticketId: 't-2',
			credentialId: 'c',
			reason: '金额有误'
		}
	},
	'submission.refused': {
		kind: 'submission.refused',
		subject: 'env-1',
		data: { code: 'TICKET_USED', idempotencyKey: 'key-12345678', ticketId: 't-1' }
	},
	'review.accepted': { kind: 'review.accepted', subject: 'sub-1', data: { comment: '' } },
	'review.flagged': { kind: 'review.flagged', subject: 'sub-2', data: { comment: '印章模糊' } },
	'seal.created': {
		kind: 'seal.created',
		subject: 'seal-1',
		data: { name: '合同专用章', imageHash: 'b'.repeat(64) }
	},
	'seal.regenerated': {
		kind: 'seal.regenerated',
		subject: 'seal-1',
		data: { name: '合同专用章', imageHash: 'c'.repeat(64), previousImageHash: 'b'.repeat(64) }
	},
	'seal.disabled': { kind: 'seal.disabled', subject: 'seal-1', data: { name: '合同专用章' } },
	'seal.enabled': { kind: 'seal.enabled', subject: 'seal-1', data: { name: '合同专用章' } },
	'seal.authorised': { kind: 'seal.authorised', subject: 'seal-1', data: { userId: 'u-2' } },
	'seal.revoked': { kind: 'seal.revoked', subject: 'seal-1', data: { userId: 'u-2' } },
	'org.cert-applied': {
		kind: 'org.cert-applied',
		subject: 'app-1',
		data: {
			orgId: 'org',
			orgType: 'enterprise',
			idNumber: '91110108MA01C2DE3X',
			usccVerdict: 'suspect',
			licenceHash: 'c'.repeat(64),
			privacyVersion: '2026-12-01'
		}
	},
	'org.cert-verification': {
		kind: 'org.cert-verification',
		subject: 'app-1',
		data: { method: 'deposit_platform', step: 'wrong' }
	},
	'org.cert-approved': { kind: 'org.cert-approved', subject: 'app-1', data: { orgId: 'org' } },
	'org.cert-rejected': {
		kind: 'org.cert-rejected',
		subject: 'app-1',
		data: { orgId: 'org', reason: '执照模糊' }
	},
	'org.created': {
		kind: 'org.created',
		subject: 'org-new',
		data: { name: '新星贸易有限公司', nameEn: 'Nova Trading Co., Ltd.' }
	},
	'certification.consented': {
		kind: 'certification.consented',
		subject: 'u-2',
		data: { version: '2026-12-01' }
	},
	'certification.certified': {
		kind: 'certification.certified',
		subject: 'u-2',
		data: {
			level: 'provider-verified',
			method: 'face-match',
			provider: 'simulated',
			reference: 'sim-1',
			documentType: 'resident-id'
		}
	},
	'certification.failed': {
		kind: 'certification.failed',
		subject: 'u-2',
		data: { method: 'face-match', provider: 'simulated', reference: 'sim-2', reason: 'MISMATCH' }
	}
};

async function appendAllKinds() {
	for (const kind of AUDIT_KINDS) {
		now = new Date(now.getTime() + 1000);
		await recordAudit(open.db, clock, admin.id, SAMPLES[kind]);
	}
}

/** A raw connection that lifts a trigger, runs the change, and puts the trigger back. */
async function tamper(trigger: string, change: string) {
	const table = trigger.replace(/_(no_update|no_delete|append_at_head)$/, '');
	const raw = await openRawConnection(file);
	try {
		await raw.withoutTrigger(table, trigger, change);
	} finally {
		await raw.close();
	}
}

describe('appendAudit (A2–A5)', () => {
	it('A1 A3 A5: every kind appends exactly one row, in order, and the chain verifies', async () => {
		await appendAllKinds();
		const rows = await open.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
		expect(rows.map((r) => r.kind)).toEqual(AUDIT_KINDS);
		expect(rows.map((r) => r.seq)).toEqual(AUDIT_KINDS.map((_, i) => i + 1));
		expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
		expect(rows.every((r) => r.actor === admin.id)).toBe(true);
		expect(JSON.parse(rows.find((r) => r.kind === 'envelope.revoked')!.data)).toEqual({
			reason: '价格变更'
		});
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: true,
			checked: AUDIT_KINDS.length,
			firstBroken: null
		});
	});

	it('A4: a row appended in a transaction that rolls back leaves no trace', async () => {
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.viewed']);
		await expect(
			open.db.transaction().execute(async (trx) => {
				await appendAudit(trx, clock, admin.id, SAMPLES['envelope.downloaded']);
				throw new Error('the recorded write failed');
			})
		).rejects.toThrow('the recorded write failed');
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.sent']);
		const kinds = await open.db.selectFrom('audit_log').select('kind').orderBy('seq').execute();
		expect(kinds.map((k) => k.kind)).toEqual(['envelope.viewed', 'envelope.sent']);
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
	});

	it('A4: the database refuses a row that does not extend the head of the chain', async () => {
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.viewed']);
		const head = await open.db.selectFrom('audit_log').selectAll().executeTakeFirstOrThrow();
		const row = { ...head, hash: 'f'.repeat(64) };
		// Same seq again (a fork), and a skipped seq with the right prev_hash.
		await expect(open.db.insertInto('audit_log').values(row).execute()).rejects.toThrow(
			/extend the head/
		);
		await expect(
			open.db
				.insertInto('audit_log')
				.values({ ...row, seq: 3, prev_hash: head.hash })
				.execute()
		).rejects.toThrow(/extend the head/);
	});

	it('A4: two processes appending at once keep one linear chain (BEGIN IMMEDIATE + busy_timeout)', async () => {
		// Separate processes, because better-sqlite3 blocks its thread while it waits for a lock:
		// two connections in one process would wait on each other. Each child runs the real
		// appendAudit through the real SQLite dialect, bundled the way the CLI is.
		const out = join(root, 'node_modules/.cache/sealpass-audit-test', String(process.pid));
		await mkdir(out, { recursive: true });
		const entry = join(out, 'append.ts');
		await writeFile(
			entry,
			`import { Kysely } from 'kysely';
			import { openSqlite } from '${join(root, 'src/lib/server/db/dialects/sqlite.ts')}';
			import { openPostgres } from '${join(root, 'src/lib/server/db/dialects/postgres.ts')}';
			import { appendAudit } from '${join(root, 'src/lib/server/audit/audit.ts')}';
			import { useServerKeys } from '${join(root, 'src/lib/server/platform/secrets.ts')}';
			const [url, count, name, auditKey] = process.argv.slice(2);
			const key = Buffer.from(auditKey, 'base64');
			useServerKeys({
				current: { invite_code_key: key, id_number_key: key, audit_anchor_key: key },
				previous: { invite_code_key: [], id_number_key: [], audit_anchor_key: [] }
			});
			const db = new Kysely({
				dialect: url.startsWith('sqlite:') ? openSqlite(url.slice(7)).dialect : openPostgres(url)
			});
			for (let i = 0; i < Number(count); i++) {
				await db.transaction().execute((trx) => appendAudit(trx, () => new Date(), name, {
					kind: 'envelope.viewed', subject: name, data: { revision: i }
				}));
			}
			await db.destroy();`
		);
		await build({
			configFile: false,
			logLevel: 'silent',
			publicDir: false,
			resolve: { alias: { $lib: join(root, 'src/lib') } },
			build: {
				ssr: entry,
				outDir: join(out, 'dist'),
				emptyOutDir: true,
				target: 'node20',
				minify: false,
				rolldownOptions: { output: { format: 'es', entryFileNames: 'append.mjs' } }
			}
		});
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.sent']);
		const run = promisify(execFile);
		const script = join(out, 'dist/append.mjs');
		const url = await testDatabaseUrl(file);
		try {
			await Promise.all(
				['proc-a', 'proc-b'].map((name) =>
					run(process.execPath, [
						script,
						url,
						'40',
						name,
						serverKey('audit_anchor_key').toString('base64')
					])
				)
			);
		} finally {
			await rm(out, { recursive: true, force: true });
		}
		const rows = await open.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
		expect(rows).toHaveLength(81);
		expect(rows.filter((r) => r.actor === 'proc-a')).toHaveLength(40);
		expect(rows.filter((r) => r.actor === 'proc-b')).toHaveLength(40);
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: true,
			checked: 81,
			firstBroken: null
		});
	}, 60_000);
});

describe('append-only tables (A7)', () => {
	it('A7: UPDATE and DELETE on audit_log, auth_events and submission_events are refused', async () => {
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.viewed']);
		await appendAuthEvent(open.db, clock, { kind: 'details.updated', userId: admin.id });
		await open.db
			.insertInto('submission_events')
			.values({
				id: 'ev-1',
				at: now.toISOString(),
				user_id: admin.id,
				idempotency_key: 'key-12345678',
				envelope_id: null,
				ticket_id: null,
				submission_id: null,
				outcome: 'refused',
				code: 'TICKET_UNKNOWN'
			})
			.execute();
		const db = open.db;
		await expect(db.updateTable('audit_log').set({ data: '{}' }).execute()).rejects.toThrow(
			/audit_log is append-only: UPDATE refused/
		);
		await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(
			/audit_log is append-only: DELETE refused/
		);
		await expect(db.updateTable('auth_events').set({ kind: 'x' }).execute()).rejects.toThrow(
			/auth_events is append-only: UPDATE refused/
		);
		await expect(db.deleteFrom('auth_events').execute()).rejects.toThrow(
			/auth_events is append-only: DELETE refused/
		);
		await expect(db.updateTable('submission_events').set({ code: null }).execute()).rejects.toThrow(
			/submission_events is append-only: UPDATE refused/
		);
		await expect(db.deleteFrom('submission_events').execute()).rejects.toThrow(
			/submission_events is append-only: DELETE refused/
		);
		// The same through a raw connection to the file: the refusal lives in the database.
		const raw = await openRawConnection(file);
		try {
			await expect(raw.exec(`update audit_log set kind = 'login'`)).rejects.toThrow(/append-only/);
			await expect(raw.exec(`delete from auth_events`)).rejects.toThrow(/append-only/);
			await expect(raw.exec(`truncate audit_log`)).rejects.toThrow(
				// SQLite has no TRUNCATE; its DELETE without WHERE is refused above.
				testEngine === 'postgres' ? /append-only/ : /syntax error/
			);
		} finally {
			await raw.close();
		}
		expect(await db.selectFrom('audit_log').select('kind').execute()).toEqual([
			{ kind: 'envelope.viewed' }
		]);
		expect(await db.selectFrom('auth_events').select('id').execute()).toHaveLength(1);
		expect(await db.selectFrom('submission_events').select('id').execute()).toHaveLength(1);
	});
});

describe('tampering with the file (A6)', () => {
	it('A6: one row’s data changed behind the triggers’ back is named by its seq', async () => {
		await appendAllKinds();
		const target = AUDIT_KINDS.indexOf('envelope.revoked') + 1;
		await tamper(
			'audit_log_no_update',
			`update audit_log set data = '{"reason":"客户要求"}' where seq = ${target}`
		);
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			checked: target,
			firstBroken: { seq: target, reason: 'hash-mismatch' }
		});
	});

	it('A6: a deleted middle row is named by the seq after the gap', async () => {
		await appendAllKinds();
		await tamper('audit_log_no_delete', `delete from audit_log where seq = 5`);
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			checked: 5,
			firstBroken: { seq: 6, reason: 'seq-gap' }
		});
	});
});

describe('the signed head (A10)', () => {
	const n = AUDIT_KINDS.length;

	it('A10: an intact log ends at the signed head and verifies', async () => {
		await appendAllKinds();
		const head = await open.db
			.selectFrom('audit_log')
			.select(['seq', 'hash'])
			.orderBy('seq', 'desc')
			.executeTakeFirstOrThrow();
		const verdict = await verifyAuditLog(open.db);
		expect(verdict).toMatchObject({ ok: true, checked: n, firstBroken: null });
		expect(verdict.anchor).toMatchObject({
			seq: n,
			hash: head.hash,
			mac: expect.stringMatching(/^[0-9a-f]{64}$/)
		});
		expect(verdict.anchor!.mac).toBe(
			hmacHex(serverKey('audit_anchor_key'), auditAnchorText(n, head.hash))
		);
	});

	it('A8 A10: the newest rows deleted behind the trigger’s back are reported as a cut at the end', async () => {
		await appendAllKinds();
		await tamper('audit_log_no_delete', `delete from audit_log where seq > ${n - 3}`);
		// The rows left are a perfect chain; only the signed head shows what is missing.
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			checked: n - 3,
			firstBroken: { seq: n - 2, reason: 'tail-cut' }
		});
	});

	it('A10: a cut that also rewinds the anchor to an unsigned head is refused as anchor-invalid', async () => {
		await appendAllKinds();
		await tamper('audit_log_no_delete', `delete from audit_log where seq > ${n - 3}`);
		const last = await open.db
			.selectFrom('audit_log')
			.select(['seq', 'hash'])
			.where('seq', '=', n - 3)
			.executeTakeFirstOrThrow();
		await open.db.updateTable('audit_anchor').set({ seq: last.seq, hash: last.hash }).execute();
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			firstBroken: { seq: n - 3, reason: 'anchor-invalid' }
		});
	});

	it('A10: a removed anchor, and rows appended without the key, are both reported', async () => {
		await appendAllKinds();
		const head = await open.db
			.selectFrom('audit_log')
			.select(['seq', 'hash'])
			.orderBy('seq', 'desc')
			.executeTakeFirstOrThrow();
		// A valid next link written straight into the file: the insert trigger accepts it.
		const forged = await nextAuditRow(head, now.toISOString(), null, SAMPLES['envelope.viewed']);
		const raw = await openRawConnection(file);
		await raw.exec(
			'insert into audit_log (seq, at, kind, actor, subject, data, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)',
			[
				forged.seq,
				forged.at,
				forged.kind,
				forged.actor,
				forged.subject,
				forged.data,
				forged.prevHash,
				forged.hash
			]
		);
		await raw.close();
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			firstBroken: { seq: n + 1, reason: 'after-anchor' }
		});
		await open.db.deleteFrom('audit_anchor').execute();
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			firstBroken: { seq: n + 2, reason: 'anchor-missing' }
		});
	});

	it('A10: appends that land while verify runs are read on, not reported as a cut or as unsigned rows', async () => {
		await appendAllKinds();
		const [verdict] = await Promise.all([
			verifyAuditLog(open.db),
			...Array.from({ length: 10 }, () =>
				recordAudit(open.db, clock, admin.id, SAMPLES['envelope.viewed'])
			)
		]);
		expect(verdict).toMatchObject({ ok: true, firstBroken: null });
		expect(verdict.anchor!.seq).toBe(verdict.checked);
	});

	it('A10: an empty log is anchored at seq 0, so deleting every row is a cut too', async () => {
		await anchorAuditHead(open.db, clock);
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: true,
			checked: 0,
			anchor: { seq: 0 }
		});
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.viewed']);
		await tamper('audit_log_no_delete', 'delete from audit_log');
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			firstBroken: { seq: 1, reason: 'tail-cut' }
		});
	});

	it('SEC4: after the audit key is rotated, the head signed with the previous key still verifies, and the next append signs with the new one', async () => {
		await appendAllKinds();
		const old = serverKey('audit_anchor_key');
		const rotated = randomServerKeys();
		useServerKeys({ ...rotated, previous: { ...rotated.previous, audit_anchor_key: [old] } });
		expect(await verifyAuditLog(open.db)).toMatchObject({ ok: true });
		useServerKeys(rotated);
		expect(await verifyAuditLog(open.db)).toMatchObject({
			ok: false,
			firstBroken: { reason: 'anchor-invalid' }
		});
		await recordAudit(open.db, clock, admin.id, SAMPLES['envelope.viewed']);
		expect(await verifyAuditLog(open.db)).toMatchObject({ ok: true, checked: n + 1 });
	});
});

describe('listAudit', () => {
	it('pages newest first by seq and filters by subject', async () => {
		await appendAllKinds();
		const first = await listAudit(open.db, admin.org_id, {
			cursor: null,
			limit: 10,
			subject: null
		});
		expect(first.entries.map((e) => e.seq)).toEqual(
			Array.from({ length: 10 }, (_, i) => AUDIT_KINDS.length - i)
		);
		expect(first.entries[0]!.actorName).toBe(admin.display_name);
		const second = await listAudit(open.db, admin.org_id, {
			cursor: first.nextCursor,
			limit: 10,
			subject: null
		});
		expect(second.entries[0]!.seq).toBe(AUDIT_KINDS.length - 10);
		const seen: number[] = [];
		let cursor: number | null = null;
		do {
			const page = await listAudit(open.db, admin.org_id, { cursor, limit: 7, subject: null });
			seen.push(...page.entries.map((e) => e.seq));
			cursor = page.nextCursor;
		} while (cursor !== null);
		expect(seen).toEqual(AUDIT_KINDS.map((_, i) => AUDIT_KINDS.length - i));

		const env = await listAudit(open.db, admin.org_id, {
			cursor: null,
			limit: 50,
			subject: 'env-1'
		});
		expect(env.entries.map((e) => e.kind)).toEqual(
			AUDIT_KINDS.filter((k) => SAMPLES[k].subject === 'env-1').reverse()
		);
		expect(env.nextCursor).toBeNull();
	});
});

describe('the writers record their events (A1, A4)', () => {
	async function trail() {
		const rows = await open.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
		return rows.map((r) => ({ kind: r.kind, actor: r.actor, subject: r.subject }));
	}

	it('A1: an invite, a wrong code and its redemption are each one row about the invite', async () => {
		const sent: NotifyMessage[] = [];
		const deps: InviteDeps = {
			db: open.db,
			clock,
			origin: 'https://sign.example.cn',
			notifiers: {
				console: {
					channel: 'console',
					send: async (message) => {
						sent.push(message);
						await new ConsoleNotifier(() => undefined).send(message);
					}
				},
				smtp: null,
				sms: null
			}
		};
		const created = await createInvite(deps, admin, { name: '李四', contact: 'li@example.cn' });
		if (!created.ok) throw new Error(created.code);
		const token = created.link.split('/invite/')[1]!;
		const code = /\b(\d{6})\b/.exec(sent.at(-1)!.body)![1]!;
		const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
		expect((await redeemInvite(deps, { token, code: wrong, ip: '10.0.0.9' })).ok).toBe(false);
		const redeemed = await redeemInvite(deps, { token, code, ip: '10.0.0.9' });
		if (!redeemed.ok) throw new Error(redeemed.code);
		expect((await redeemInvite(deps, { token, code, ip: '10.0.0.9' })).ok).toBe(false);
		const id = created.inviteId;
		expect(await trail()).toEqual([
			{ kind: 'invite.created', actor: admin.id, subject: id },
			{ kind: 'invite.code_wrong', actor: null, subject: id },
			{ kind: 'invite.redeemed', actor: redeemed.userId, subject: id },
			{ kind: 'invite.refused', actor: null, subject: id }
		]);
		expect((await verifyAuditLog(open.db)).ok).toBe(true);
	});

	it('A1: the setup link records its one use; a second try records nothing', async () => {
		const token = await issueSetupToken(open.db, clock);
		expect((await redeemSetupToken(open.db, token!, clock)).ok).toBe(true);
		expect((await redeemSetupToken(open.db, token!, clock)).ok).toBe(false);
		expect(await trail()).toEqual([{ kind: 'setup.used', actor: admin.id, subject: admin.id }]);
	});

	it('A1 A4: a passkey revocation is recorded; a refused one (the last passkey) is not', async () => {
		for (const id of ['cred-a', 'cred-b']) {
			await open.db
				.insertInto('credentials')
				.values({
					id,
					user_id: admin.id,
					public_key: new Uint8Array([1]),
					counter: 0,
					transports: '[]',
					device_type: 'singleDevice',
					backed_up: 0,
					name: id,
					created_at: now.toISOString(),
					last_used_at: null,
					revoked_at: null
				})
				.execute();
		}
		expect((await revokePasskey(open.db, clock, admin.id, 'cred-a')).ok).toBe(true);
		expect((await revokePasskey(open.db, clock, admin.id, 'cred-b')).ok).toBe(false);
		const rows = await open.db.selectFrom('audit_log').selectAll().execute();
		expect(rows.map((r) => [r.kind, JSON.parse(r.data)])).toEqual([
			['passkey.revoked', { credentialId: 'cred-a' }]
		]);
	});
});
