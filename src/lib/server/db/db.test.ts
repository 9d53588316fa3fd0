import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import {
	openDatabase,
	migrateToBefore,
	migrateToLatest,
	currentMigration,
	DatabaseOpenError
} from '.';
import { openTestDatabase } from '../../../../tests/support/test-db';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-db-'));
});
afterEach(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('openDatabase (SQLite)', () => {
	it('creates the file, runs every migration once, and turns on WAL, busy_timeout and foreign keys', async () => {
		const open = openDatabase(`sqlite:${join(dir, 'nested', 'app.db')}`);
		try {
			// Every file in migrations/, in name order: later issues add files without editing this.
			const all = readdirSync(join(import.meta.dirname, 'migrations'))
				.map((f) => f.replace(/\.ts$/, ''))
				.sort();
			expect(all.slice(0, 3)).toEqual(['0001-initial', '0002-passkeys', '0003-invites']);
			expect(await migrateToLatest(open)).toEqual(all);
			expect(await migrateToLatest(open)).toEqual([]);
			expect(await currentMigration(open)).toBe(all.at(-1));
			const pragma = async (name: string) =>
				Object.values((await sql.raw(`pragma ${name}`).execute(open.db)).rows[0] as object)[0];
			expect(await pragma('journal_mode')).toBe('wal');
			expect(await pragma('busy_timeout')).toBe(5000);
			expect(await pragma('foreign_keys')).toBe(1);
		} finally {
			await open.close();
		}
	});

	it('two servers migrating one new file at the same time: each migration runs once, neither fails', async () => {
		const path = `sqlite:${join(dir, 'shared.db')}`;
		// Two connections, as two server processes have; Kysely alone would let both run 0001.
		const [a, b] = [openDatabase(path), openDatabase(path)];
		try {
			const [ranByA, ranByB] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
			const all = readdirSync(join(import.meta.dirname, 'migrations')).length;
			expect(ranByA.length + ranByB.length).toBe(all);
			expect([ranByA.length, ranByB.length]).toContain(0);
			const applied = await a.db
				.selectFrom(sql<{ name: string }>`kysely_migration`.as('m'))
				.select('name')
				.execute();
			expect(applied).toHaveLength(all);
		} finally {
			await a.close();
			await b.close();
		}
	});

	it('enforces foreign keys, so an envelope cannot name a missing document', async () => {
		const open = openDatabase(`sqlite:${join(dir, 'app.db')}`);
		try {
			await migrateToLatest(open);
			await open.db
				.insertInto('organisations')
				.values({ id: 'o', name: 'n', name_en: 'n', created_at: 'now' })
				.execute();
			await expect(
				open.db
					.insertInto('envelopes')
					.values({
						id: 'e',
						org_id: 'o',
						title: 't',
						doc_sha256: 'missing',
						page_count: 1,
						status: 'draft',
						created_at: 'now'
					})
					.execute()
			).rejects.toThrow(/FOREIGN KEY/);
		} finally {
			await open.close();
		}
	});

	it('names the path when the database cannot be opened', async () => {
		const blocker = join(dir, 'not-a-folder');
		await writeFile(blocker, 'x');
		const path = join(blocker, 'app.db');
		expect(() => openDatabase(`sqlite:${path}`)).toThrow(DatabaseOpenError);
		expect(() => openDatabase(`sqlite:${path}`)).toThrow(path);
	});

	it('names the path when the file is not a database', async () => {
		const path = join(dir, 'garbage.db');
		await mkdir(dir, { recursive: true });
		await writeFile(path, 'this is not sqlite '.repeat(100));
		expect(() => openDatabase(`sqlite:${path}`)).toThrow(new RegExp(`${path}.*not a database`));
	});

	it('refuses an unknown scheme instead of falling back to an empty SQLite file', () => {
		expect(() => openDatabase('mysql://user:secret@host/db')).toThrow(
			/unsupported database scheme "mysql:"/
		);
		expect(() => openDatabase('mysql://user:secret@host/db')).not.toThrow(/secret/);
	});
});

describe('migration 0011 (sessions remember their passkey)', () => {
	it('ends the old sessions of users who hold a passkey, keeps enrolling ones, and revokes the unused tickets of passkeys revoked before', async () => {
		const open = openDatabase(`sqlite:${join(dir, 'app.db')}`);
		try {
			await migrateToBefore(open, '0011');
			const db = open.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
			await db
				.insertInto('organisations')
				.values({ id: 'o', name: 'n', name_en: 'n', created_at: 'now' })
				.execute();
			for (const id of ['with-passkey', 'enrolling']) {
				await db
					.insertInto('users')
					.values({ id, org_id: 'o', display_name: id, role: 'signer', created_at: 'now' })
					.execute();
				await db
					.insertInto('sessions')
					.values({ id_hash: `s-${id}`, user_id: id, created_at: 'now', expires_at: '9999' })
					.execute();
			}
			const credential = (id: string, revokedAt: string | null) => ({
				id,
				user_id: 'with-passkey',
				public_key: Buffer.from([1]),
				counter: 0,
				transports: '[]',
				device_type: 'singleDevice',
				backed_up: 0,
				name: id,
				created_at: 'now',
				last_used_at: null,
				revoked_at: revokedAt
			});
			await db
				.insertInto('credentials')
				.values([credential('live', null), credential('lost', '2026-02-01T00:00:00Z')])
				.execute();
			const ticket = (id: string, credentialId: string, usedAt: string | null) => ({
				id,
				user_id: 'with-passkey',
				credential_id: credentialId,
				nonce: `nonce-${id}`,
				issued_at: 'now',
				expires_at: '9999',
				used_at: usedAt,
				used_by_submission: null
			});
			await db
				.insertInto('tickets')
				.values([
					ticket('t-live', 'live', null),
					ticket('t-lost', 'lost', null),
					ticket('t-lost-used', 'lost', '2026-01-15T00:00:00Z')
				])
				.execute();

			expect(await migrateToLatest(open)).toContain('0011-session-credential');
			expect(
				await db.selectFrom('sessions').select(['user_id', 'credential_id']).execute()
			).toEqual([{ user_id: 'enrolling', credential_id: null }]);
			expect(
				await db.selectFrom('tickets').select(['id', 'revoked_at']).orderBy('id').execute()
			).toEqual([
				{ id: 't-live', revoked_at: null },
				{ id: 't-lost', revoked_at: '2026-02-01T00:00:00Z' },
				{ id: 't-lost-used', revoked_at: null }
			]);
		} finally {
			await open.close();
		}
	});
});

describe('migration 0012 (seal image versions)', () => {
	it('R20: backfills one open version per existing seal from its current image and size, valid from its creation', async () => {
		const open = openDatabase(`sqlite:${join(dir, 'app.db')}`);
		try {
			await migrateToBefore(open, '0012');
			const db = open.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
			await db
				.insertInto('organisations')
				.values({ id: 'o', name: 'n', name_en: 'n', created_at: 'now' })
				.execute();
			await db
				.insertInto('users')
				.values({ id: 'admin', org_id: 'o', display_name: 'a', role: 'admin', created_at: 'now' })
				.execute();
			const seal = (id: string, image: string, width: number, height: number, at: string) => ({
				id,
				org_id: 'o',
				name: id,
				shape: width === height ? 'round' : 'oval',
				width_mm: width,
				height_mm: height,
				spec_json: null,
				image_hash: image,
				status: id === 'finance' ? 'disabled' : 'active',
				created_at: at,
				created_by: 'admin'
			});
			await db
				.insertInto('seals')
				.values([
					seal('contract', 'a'.repeat(64), 42, 42, '2026-01-01T00:00:00.000Z'),
					seal('finance', 'b'.repeat(64), 45, 30, '2026-02-01T00:00:00.000Z')
				])
				.execute();

			expect(await migrateToLatest(open)).toContain('0012-seal-versions');
			expect(await db.selectFrom('seal_versions').selectAll().orderBy('seal_id').execute()).toEqual(
				[
					{
						id: 'contract',
						seal_id: 'contract',
						image_hash: 'a'.repeat(64),
						width_mm: 42,
						height_mm: 42,
						valid_from: '2026-01-01T00:00:00.000Z',
						valid_until: null
					},
					{
						id: 'finance',
						seal_id: 'finance',
						image_hash: 'b'.repeat(64),
						width_mm: 45,
						height_mm: 30,
						valid_from: '2026-02-01T00:00:00.000Z',
						valid_until: null
					}
				]
			);
		} finally {
			await open.close();
		}
	});
});

describe('statements run again after a migration', () => {
	// PostgreSQL keeps parameterised statements prepared per connection; one whose result columns
	// changed under it would fail until the connection is replaced.
	it('a `select *` answers with the added column, and a prepared one with named columns still answers', async () => {
		const open = await openTestDatabase(join(dir, 'app.db'));
		try {
			await migrateToLatest(open);
			const row = { sha256: 'a', size: 1, media_type: 'image/png', created_at: 'now' };
			await open.db.insertInto('blobs').values(row).execute();
			const all = () => open.db.selectFrom('blobs').selectAll().where('sha256', '=', 'a').execute();
			const size = () =>
				open.db.selectFrom('blobs').select('size').where('sha256', '=', 'a').execute();
			for (let i = 0; i < 2; i++) {
				expect(await all()).toEqual([row]);
				expect(await size()).toEqual([{ size: 1 }]);
			}
			await sql`alter table blobs add column extra integer`.execute(open.db);
			expect(await all()).toEqual([{ ...row, extra: null }]);
			expect(await size()).toEqual([{ size: 1 }]);
		} finally {
			await open.close();
		}
	});
});
