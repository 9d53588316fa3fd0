import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty } from '../platform/seed';
import { createInvite, listOutbox, redeemInvite, type InviteDeps } from '../auth';
import { exportAudit, listAudit, recordAudit, verifyAuditLog } from './audit';
import { ConsoleNotifier } from '../platform/notify';
import { openTestDatabase } from '../../../../tests/support/test-db';

// Two organisations in one real SQLite file: an admin of one must not read the other's outbox
// (invite links and codes) or audit trail (SPEC A9, A11).

let dir: string;
let open: OpenDatabase;
const now = new Date('2026-03-01T08:00:00Z');
const clock = () => now;
let adminA: User;
let adminB: User;
let deps: InviteDeps;

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-tenants-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	await seedIfEmpty(open.db, new FolderBlobStore(join(dir, 'blobs'), 1 << 20), clock, false);
	adminA = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	const orgB = randomUUID();
	await open.db
		.insertInto('organisations')
		.values({ id: orgB, name: '乙公司', name_en: 'Company B', created_at: now.toISOString() })
		.execute();
	adminB = await open.db
		.insertInto('users')
		.values({
			id: randomUUID(),
			org_id: orgB,
			display_name: 'Admin B',
			role: 'admin',
			created_at: now.toISOString()
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	deps = {
		db: open.db,
		clock,
		origin: 'https://sign.example.cn',
		notifiers: {
			console: new ConsoleNotifier(() => undefined),
			smtp: null,
			sms: null
		}
	};
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

describe('organisation scoping', () => {
	it('an admin of organisation B reads neither A’s outbox (links and codes) nor A’s audit rows', async () => {
		const a = await createInvite(deps, adminA, { name: '李四', contact: 'lisi@example.cn' });
		if (!a.ok) throw new Error(a.code);
		const b = await createInvite(deps, adminB, { name: '王五', contact: 'wangwu@example.cn' });
		if (!b.ok) throw new Error(b.code);
		// A wrong code on A's invite: no one is signed in, the row is still A's.
		await redeemInvite(deps, { token: a.link.split('/invite/')[1]!, code: '000000', ip: null });

		const outboxA = await listOutbox(open.db, adminA.org_id);
		const outboxB = await listOutbox(open.db, adminB.org_id);
		expect(outboxA.map((m) => m.recipient)).toEqual(['lisi@example.cn']);
		expect(outboxB.map((m) => m.recipient)).toEqual(['wangwu@example.cn']);
		expect(JSON.stringify(outboxB)).not.toContain(a.link);

		const query = { cursor: null, limit: 200, subject: null };
		const trailA = await listAudit(open.db, adminA.org_id, query);
		const trailB = await listAudit(open.db, adminB.org_id, query);
		expect(trailA.entries.map((e) => e.subject)).toEqual([a.inviteId, a.inviteId]);
		expect(trailB.entries.map((e) => [e.kind, e.subject])).toEqual([
			['invite.created', b.inviteId]
		]);
		// Asking for A's invite by subject from B finds nothing.
		const probe = await listAudit(open.db, adminB.org_id, { ...query, subject: a.inviteId });
		expect(probe.entries).toEqual([]);
	});

	it('an export carries the organisation’s rows in full and the others as links only, and the whole chain still verifies', async () => {
		await recordAudit(open.db, clock, adminA.id, {
			kind: 'envelope.viewed',
			subject: 'env-a',
			data: { revision: 1 }
		});
		await recordAudit(open.db, clock, adminB.id, {
			kind: 'envelope.viewed',
			subject: 'env-b',
			data: { revision: 2 }
		});
		const exported = await exportAudit(open.db, clock, adminB.org_id);
		expect(exported.rows).toHaveLength(2);
		expect(exported.rows[0]).toEqual({
			seq: 1,
			prevHash: '0'.repeat(64),
			hash: expect.stringMatching(/^[0-9a-f]{64}$/),
			redacted: true
		});
		expect(exported.rows[1]).toMatchObject({ seq: 2, subject: 'env-b', actor: adminB.id });
		expect(JSON.stringify(exported)).not.toContain('env-a');
		expect(exported.head).toMatchObject({ seq: 2, hash: exported.rows[1]!.hash });
		expect(await verifyAuditLog(open.db)).toMatchObject({ ok: true, checked: 2 });
	});
});
