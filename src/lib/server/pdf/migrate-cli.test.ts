import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	migrateToBefore,
	migrationNames,
	openDatabase,
	pendingMigrations,
	prepareSchema,
	SchemaBehindError
} from '../db';
import { loadConfig } from '../platform/config';
import { main } from './cli';
import { openTestDatabase, testDatabaseUrl, testEngine } from '../../../../tests/support/test-db';

// `sealpass migrate` runs the migrations as the schema's owner, so app servers started with
// MIGRATE=0 need no right to change the schema; those servers refuse to start on a schema
// older than their code. On both engines.

let dir: string;

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	const io = {
		stdout: { write: (text: string) => out.push(text) },
		stderr: { write: (text: string) => err.push(text) }
	};
	return { io, out, err };
}

describe('sealpass migrate', () => {
	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'sealpass-migrate-'));
	});
	afterEach(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('migrates the database --database names to this release, and a second run has nothing to do', async () => {
		// Opened first so its close drops the PostgreSQL test schema the command migrated.
		const check = await openTestDatabase(join(dir, 'app.db'));
		try {
			const url = await testDatabaseUrl(join(dir, 'app.db'));
			const names = await migrationNames();
			const first = capture();
			expect(await main(['migrate', '--database', url], first.io)).toBe(0);
			expect(first.err.join('')).toBe('');
			const printed = JSON.parse(first.out.join(''));
			expect(printed).toEqual({
				database: check.location,
				applied: names,
				migration: names.at(-1)
			});
			expect(await pendingMigrations(check)).toEqual([]);

			const second = capture();
			expect(await main(['migrate', '--database', url], second.io)).toBe(0);
			expect(JSON.parse(second.out.join('')).applied).toEqual([]);
			// The location is printed, never a password.
			if (testEngine === 'postgres') {
				expect(first.out.join('')).not.toContain(new URL(url).password || '\u0000');
			}
		} finally {
			await check.close();
		}
	});

	it('takes DATABASE_URL when no --database is given, and refuses anything else', async () => {
		const check = await openTestDatabase(join(dir, 'env.db'));
		const saved = process.env.DATABASE_URL;
		process.env.DATABASE_URL = await testDatabaseUrl(join(dir, 'env.db'));
		try {
			const run = capture();
			expect(await main(['migrate'], run.io)).toBe(0);
			expect(await pendingMigrations(check)).toEqual([]);
			const wrong = capture();
			expect(await main(['migrate', 'extra'], wrong.io)).toBe(1);
			expect(wrong.err.join('')).toContain('migrate takes only --database URL');
		} finally {
			if (saved === undefined) delete process.env.DATABASE_URL;
			else process.env.DATABASE_URL = saved;
			await check.close();
		}
	});
});

describe('start-up with MIGRATE=0', () => {
	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'sealpass-migrate-'));
	});
	afterEach(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('is read from MIGRATE: on unless 0', () => {
		expect(loadConfig({}).migrate).toBe(true);
		expect(loadConfig({ MIGRATE: '1' }).migrate).toBe(true);
		expect(loadConfig({ MIGRATE: '0' }).migrate).toBe(false);
	});

	it('refuses a schema behind the code, naming what is missing and the command, and starts once it is migrated', async () => {
		const open = await openTestDatabase(join(dir, 'behind.db'));
		try {
			const names = await migrationNames();
			const last = names.at(-1)!;
			await migrateToBefore(open, last);
			const refusal = await prepareSchema(open, false).catch((error: unknown) => error);
			expect(refusal).toBeInstanceOf(SchemaBehindError);
			expect((refusal as Error).message).toContain(last);
			expect((refusal as Error).message).toContain('sealpass migrate');
			expect((refusal as Error).message).toContain(open.location);
			// Still behind: the check changed nothing.
			expect(await pendingMigrations(open)).toEqual([last]);

			expect(await main(['migrate', '--database', open.url], capture().io)).toBe(0);
			await expect(prepareSchema(open, false)).resolves.toBeUndefined();
		} finally {
			await open.close();
		}
	});

	it.skipIf(testEngine !== 'postgres')(
		'needs no right to write: a current schema passes the check on a read-only connection',
		async () => {
			const owner = await openTestDatabase(join(dir, 'ro.db'));
			try {
				expect(await main(['migrate', '--database', owner.url], capture().io)).toBe(0);
				// The same schema through connections that may not change anything (as an app role
				// without CREATE or ownership): the check reads only.
				const url = new URL(owner.url);
				const options = url.searchParams.get('options') ?? '';
				url.searchParams.set('options', `${options} -c default_transaction_read_only=on`);
				const app = openDatabase(url.toString());
				try {
					await expect(prepareSchema(app, false)).resolves.toBeUndefined();
					// And the connection really is read-only, so the check above proves something.
					await expect(
						app.db.schema.createTable('x').addColumn('a', 'text').execute()
					).rejects.toThrow(/read-only/);
				} finally {
					await app.close();
				}
			} finally {
				await owner.close();
			}
		}
	);
});
