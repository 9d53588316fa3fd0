import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { migrateToBefore, migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from './blob-folder';
import { seedIfEmpty } from './seed';
import { loadConfig } from './config';
import { loadServerKeys, SecretsError, serverKey, SERVER_KEYS, verificationKeys } from './secrets';
import { hashToken, newToken } from '../auth';
import { redeemInvite } from '../auth';
import { anchorAuditHead, listAudit, verifyAuditLog } from '../audit';
import { nextAuditRow } from '$lib/domain/audit';
import { openTestDatabase } from '../../../../tests/support/test-db';

// The server keys come from a 0600 file beside the data folder or from the environment, never
// from the database they protect (SPEC SEC1–SEC4). Real files and a real SQLite database.

let dir: string;
let dataDir: string;
let open: OpenDatabase;
const now = new Date('2026-03-01T08:00:00Z');
const clock = () => now;

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-secrets-'));
	dataDir = join(dir, 'data');
	open = await openTestDatabase(join(dataDir, 'sealpass.db'));
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

const b64 = () => randomBytes(32).toString('base64');
const secretsFile = () => loadConfig({ DATA_DIR: dataDir }).secretsFile;

/** The database as the previous version left it: every migration before 0013 applied. */
async function migrateToBefore0013() {
	await migrateToBefore(open, '0013');
}

/** Writes rows the way the previous version did (no org_id columns yet). */
function rawDb() {
	return open.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
}

describe('server keys', () => {
	it('SEC1: two servers starting at once on a fresh install end up with the same keys, the first file written', async () => {
		await migrateToLatest(open);
		const file = secretsFile();
		const other = await openTestDatabase(join(dataDir, 'sealpass.db'));
		try {
			const [a, b] = await Promise.all([
				loadServerKeys(open.db, { file, env: {}, clock }),
				loadServerKeys(other.db, { file, env: {}, clock })
			]);
			expect(b.current).toEqual(a.current);
			const stored = JSON.parse(await readFile(file, 'utf8'));
			expect(Buffer.from(stored.keys.audit_anchor_key, 'base64')).toEqual(
				a.current.audit_anchor_key
			);
		} finally {
			await other.close();
		}
	});

	it('SEC1: the first start writes a 0600 file beside (not inside) the data folder; a restart reads the same keys', async () => {
		await migrateToLatest(open);
		const file = secretsFile();
		expect(file).toBe(`${dataDir}.secrets.json`);
		expect(dirname(file)).not.toBe(dataDir);
		const first = await loadServerKeys(open.db, { file, env: {}, clock });
		expect((await stat(file)).mode & 0o777).toBe(0o600);
		const stored = JSON.parse(await readFile(file, 'utf8'));
		expect(Object.keys(stored.keys).sort()).toEqual(Object.keys(SERVER_KEYS).sort());
		expect(Buffer.from(stored.keys.invite_code_key, 'base64')).toEqual(
			first.current.invite_code_key
		);
		const again = await loadServerKeys(open.db, { file, env: {}, clock });
		expect(again.current).toEqual(first.current);
		// Nothing of the keys is in the database: only check values.
		expect(await open.db.selectFrom('server_secrets').selectAll().execute()).toEqual([]);
		const checks = await open.db.selectFrom('secret_checks').selectAll().execute();
		expect(checks.map((c) => c.check_value)).not.toContain(stored.keys.invite_code_key);
		expect(loadConfig({ DATA_DIR: dataDir, SECRETS_FILE: join(dir, 'k.json') }).secretsFile).toBe(
			join(dir, 'k.json')
		);
	});

	it('SEC1: an environment variable wins over the file; with all three set no file is written', async () => {
		await migrateToLatest(open);
		const file = secretsFile();
		const env = { SEALPASS_INVITE_KEY: b64(), SEALPASS_ID_KEY: b64(), SEALPASS_AUDIT_KEY: b64() };
		const keys = await loadServerKeys(open.db, { file, env, clock });
		expect(existsSync(file)).toBe(false);
		expect(keys.current.audit_anchor_key.toString('base64')).toBe(env.SEALPASS_AUDIT_KEY);
		expect(serverKey('invite_code_key').toString('base64')).toBe(env.SEALPASS_INVITE_KEY);

		// One variable alone: that key from the environment, the others from the file.
		await open.db.deleteFrom('secret_checks').execute();
		const mixed = await loadServerKeys(open.db, {
			file,
			env: { SEALPASS_ID_KEY: env.SEALPASS_ID_KEY },
			clock
		});
		const stored = JSON.parse(await readFile(file, 'utf8'));
		expect(mixed.current.id_number_key.toString('base64')).toBe(env.SEALPASS_ID_KEY);
		expect(mixed.current.invite_code_key.toString('base64')).toBe(stored.keys.invite_code_key);
		await expect(
			loadServerKeys(open.db, { file, env: { SEALPASS_ID_KEY: 'short' }, clock })
		).rejects.toThrow(/SEALPASS_ID_KEY must decode to at least 32 bytes/);
	});

	it('SEC3: a corrupt file, a lost file and a different key each stop start-up with a clear error', async () => {
		await migrateToLatest(open);
		const file = secretsFile();
		await loadServerKeys(open.db, { file, env: {}, clock });
		const good = await readFile(file, 'utf8');

		await writeFile(file, good.slice(0, 40));
		await expect(loadServerKeys(open.db, { file, env: {}, clock })).rejects.toThrow(
			new SecretsError(
				`The secrets file ${file} is corrupt (not JSON). Restore it from a backup; deleting it ` +
					'would make outstanding invite codes, stored ID hashes and the audit anchor unverifiable.'
			)
		);
		await rm(file);
		await expect(loadServerKeys(open.db, { file, env: {}, clock })).rejects.toThrow(
			/secrets file .* is missing, but this database was keyed with it\. Restore the file/
		);
		expect(existsSync(file)).toBe(false);
		const swapped = JSON.parse(good);
		swapped.keys.id_number_key = b64();
		await writeFile(file, JSON.stringify(swapped), { mode: 0o600 });
		await expect(loadServerKeys(open.db, { file, env: {}, clock })).rejects.toThrow(
			/id_number_key from .* is not the key this database was keyed with/
		);
		// Listed as previous, the old key makes it a rotation: accepted, and the check moves.
		swapped.previous = { id_number_key: [JSON.parse(good).keys.id_number_key] };
		await writeFile(file, JSON.stringify(swapped));
		await loadServerKeys(open.db, { file, env: {}, clock });
		delete swapped.previous;
		await writeFile(file, JSON.stringify(swapped));
		await expect(loadServerKeys(open.db, { file, env: {}, clock })).resolves.toBeDefined();
	});

	it('SEC2 A9: an existing installation keeps its invite codes; keys leave the database; old rows are filed by organisation and the chain verifies', async () => {
		await migrateToBefore0013();
		await seedIfEmpty(open.db, new FolderBlobStore(join(dataDir, 'blobs'), 1 << 20), clock, false);
		const admin = (await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow()) as User;
		const legacyKey = randomBytes(32);
		await open.db
			.insertInto('server_secrets')
			.values({
				name: 'invite_code_key',
				value: legacyKey.toString('base64'),
				created_at: now.toISOString()
			})
			.execute();
		const inviteId = randomUUID();
		const userId = randomUUID();
		const token = newToken();
		const code = '424242';
		const at = now.toISOString();
		await open.db
			.insertInto('users')
			.values({
				id: userId,
				org_id: admin.org_id,
				display_name: '李四',
				role: 'signer',
				created_at: at
			})
			.execute();
		await open.db
			.insertInto('invites')
			.values({
				id: inviteId,
				org_id: admin.org_id,
				user_id: userId,
				link_token_hash: hashToken(token),
				code_hash: createHmac('sha256', legacyKey).update(`${inviteId}:${code}`).digest('hex'),
				contact: 'lisi@example.cn',
				channel: 'console',
				created_by: admin.id,
				created_at: at,
				expires_at: new Date(now.getTime() + 600_000).toISOString(),
				locked_at: null,
				redeemed_at: null
			})
			.execute();
		// An outbox row and two audit rows written as the previous version wrote them.
		const raw = open.db as unknown as import('kysely').Kysely<
			Record<string, Record<string, unknown>>
		>;
		await raw
			.insertInto('notifications')
			.values({
				id: randomUUID(),
				channel: 'console',
				recipient: 'lisi@example.cn',
				subject: 'invite',
				body: `code ${code}`,
				created_at: at,
				sent_at: at,
				error: null
			})
			.execute();
		const first = await nextAuditRow(null, at, admin.id, {
			kind: 'invite.created',
			subject: inviteId,
			data: { userId, channel: 'console' }
		});
		const second = await nextAuditRow(first, at, null, {
			kind: 'invite.refused',
			subject: null,
			data: { code: 'INVITE_INVALID', ip: null }
		});
		for (const row of [first, second]) {
			const { prevHash, ...rest } = row;
			await raw
				.insertInto('audit_log')
				.values({ ...rest, prev_hash: prevHash })
				.execute();
		}

		await migrateToLatest(open);
		const file = secretsFile();
		await loadServerKeys(open.db, { file, env: {}, clock });
		await anchorAuditHead(open.db, clock);

		const stored = JSON.parse(await readFile(file, 'utf8'));
		expect(stored.keys.invite_code_key).toBe(legacyKey.toString('base64'));
		expect(await open.db.selectFrom('server_secrets').selectAll().execute()).toEqual([]);
		expect(await redeemInvite({ db: open.db, clock }, { token, code, ip: null })).toMatchObject({
			ok: true,
			inviteId
		});
		const outbox = await open.db.selectFrom('notifications').select('org_id').execute();
		expect(outbox).toEqual([{ org_id: admin.org_id }]);
		// One organisation: the platform row (a wrong token) is filed under it too.
		const trail = await listAudit(open.db, admin.org_id, {
			cursor: null,
			limit: 50,
			subject: null
		});
		expect(trail.entries.map((e) => e.kind)).toEqual([
			'invite.redeemed',
			'invite.refused',
			'invite.created'
		]);
		expect(await verifyAuditLog(open.db)).toMatchObject({ ok: true, checked: 3 });
		// The append-only trigger dropped for the backfill is back.
		await expect(
			open.db.updateTable('audit_log').set({ kind: 'login' }).where('seq', '=', 1).execute()
		).rejects.toThrow(/append-only/);
	});

	it('A9: with two organisations, old outbox and audit rows are filed under their own; a platform row under none', async () => {
		await migrateToBefore0013();
		const at = now.toISOString();
		const raw = rawDb();
		const orgs = ['org-a', 'org-b'];
		await raw
			.insertInto('organisations')
			.values(orgs.map((id) => ({ id, name: id, name_en: id, created_at: at })))
			.execute();
		for (const org of orgs) {
			await raw
				.insertInto('users')
				.values([
					{ id: `admin-${org}`, org_id: org, display_name: 'Admin', role: 'admin', created_at: at },
					{ id: `signer-${org}`, org_id: org, display_name: '李四', role: 'signer', created_at: at }
				])
				.execute();
			await raw
				.insertInto('invites')
				.values({
					id: `invite-${org}`,
					org_id: org,
					user_id: `signer-${org}`,
					link_token_hash: hashToken(newToken()),
					code_hash: 'x',
					contact: `${org}@example.cn`,
					channel: 'console',
					created_by: `admin-${org}`,
					created_at: at,
					expires_at: at,
					attempts: 0
				})
				.execute();
			await raw
				.insertInto('notifications')
				.values({
					id: `note-${org}`,
					channel: 'console',
					recipient: `${org}@example.cn`,
					subject: 'invite',
					body: 'link and code',
					created_at: at,
					sent_at: at,
					error: null
				})
				.execute();
		}
		// B's admin acts; a wrong code on A's invite (no actor); a wrong token (nothing known).
		let head: Awaited<ReturnType<typeof nextAuditRow>> | null = null;
		for (const [actor, subject] of [
			['admin-org-b', 'signer-org-b'],
			[null, 'invite-org-a'],
			[null, null]
		] as const) {
			head = await nextAuditRow(head, at, actor, {
				kind: 'invite.refused',
				subject,
				data: { code: 'CODE_INVALID', ip: null }
			});
			const { prevHash, ...rest } = head;
			await raw
				.insertInto('audit_log')
				.values({ ...rest, prev_hash: prevHash })
				.execute();
		}

		await migrateToLatest(open);
		expect(
			await open.db.selectFrom('notifications').select(['id', 'org_id']).orderBy('id').execute()
		).toEqual([
			{ id: 'note-org-a', org_id: 'org-a' },
			{ id: 'note-org-b', org_id: 'org-b' }
		]);
		expect(
			await open.db.selectFrom('audit_log').select(['seq', 'org_id']).orderBy('seq').execute()
		).toEqual([
			{ seq: 1, org_id: 'org-b' },
			{ seq: 2, org_id: 'org-a' },
			{ seq: 3, org_id: null }
		]);
		await loadServerKeys(open.db, { file: secretsFile(), env: {}, clock });
		await anchorAuditHead(open.db, clock);
		expect(await verifyAuditLog(open.db)).toMatchObject({ ok: true, checked: 3 });
	});

	it('SEC2 SEC4: a variable that differs from the key still in the database is refused, unless that key is listed as previous', async () => {
		await migrateToBefore0013();
		const legacy = b64();
		await open.db
			.insertInto('server_secrets')
			.values({ name: 'invite_code_key', value: legacy, created_at: now.toISOString() })
			.execute();
		await migrateToLatest(open);
		const file = secretsFile();
		const env = { SEALPASS_INVITE_KEY: b64() };
		await expect(loadServerKeys(open.db, { file, env, clock })).rejects.toThrow(
			/database still holds a different invite_code_key than SEALPASS_INVITE_KEY/
		);
		const keys = await loadServerKeys(open.db, {
			file,
			env: { ...env, SEALPASS_INVITE_KEY_PREVIOUS: legacy },
			clock
		});
		expect(keys.previous.invite_code_key.map((k) => k.toString('base64'))).toEqual([legacy]);
		expect(verificationKeys('invite_code_key').map((k) => k.toString('base64'))).toEqual([
			env.SEALPASS_INVITE_KEY,
			legacy
		]);
		expect(await open.db.selectFrom('server_secrets').selectAll().execute()).toEqual([]);
	});
});
