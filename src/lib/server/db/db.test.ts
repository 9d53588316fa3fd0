import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, migrateToLatest, currentMigration, DatabaseOpenError } from '.';

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
