import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { OpenDatabase } from '../../src/lib/server/db';

/*
 * The database a server test runs on. Without TEST_DATABASE_URL it is a SQLite file at the path
 * the test names (the embedded default, in the test's temporary folder). With
 * TEST_DATABASE_URL=postgres://… each path gets a schema of its own in that database (its
 * connections' search_path), created empty and dropped with everything in it when the last
 * handle on it closes; the same contract tests then run on both engines. A schema, not a
 * database per world: creating a database copies a template (about a second each), a schema
 * costs nothing. The schemas live in one database per test worker (workerDatabaseUrl), made with
 * C collation so text sorts by code point as on SQLite; the role needs CREATEDB (.ci/run).
 */

/** The PostgreSQL server the tests run on, or undefined for SQLite. */
export function testPostgresUrl(): string | undefined {
	const url = process.env.TEST_DATABASE_URL;
	if (!url) return undefined;
	if (!/^postgres(ql)?:\/\//.test(url)) {
		throw new Error('TEST_DATABASE_URL must be a postgres:// URL (unset it for SQLite)');
	}
	return url;
}

/** Which engine this test run uses, for the few assertions that differ by engine. */
export const testEngine: 'sqlite' | 'postgres' = testPostgresUrl() ? 'postgres' : 'sqlite';

/**
 * A new, empty database beside TEST_DATABASE_URL's (C collation, like the schemas' databases),
 * for what needs a whole database: server processes started on it, a pg_restore. `drop` removes
 * it, also while something is still connected.
 */
export async function createScratchDatabase(
	prefix: string
): Promise<{ url: string; drop: () => Promise<void> }> {
	const base = new URL(testPostgresUrl()!);
	const name = `${prefix}_${randomBytes(5).toString('hex')}`;
	const run = async (statement: string, params: unknown[] = []) => {
		const client = await connect(base.toString());
		try {
			await client.query(statement, params);
		} finally {
			await client.end();
		}
	};
	/*
	 * WITH (FORCE) ends every session in the database, and PostgreSQL refuses it (42501) when one
	 * of them is an autovacuum worker and the role may not signal it (no pg_signal_backend); a
	 * run failed on that once. Then end our own sessions and drop plainly: a plain drop asks
	 * autovacuum to leave by itself.
	 */
	const drop = async () => {
		try {
			await run(`drop database if exists ${name} with (force)`);
		} catch (error) {
			if ((error as { code?: string }).code !== '42501') throw error;
			await run(
				`select pg_terminate_backend(pid) from pg_stat_activity
				 where datname = $1 and usename = current_user and pid <> pg_backend_pid()`,
				[name]
			);
			await run(`drop database if exists ${name}`);
		}
	};
	await run(
		`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`
	);
	const url = new URL(base);
	url.pathname = `/${name}`;
	return { url: url.toString(), drop };
}

/** Open handles per test schema; the last close drops it. */
const handles = new Map<string, number>();

async function connect(url: string | undefined): Promise<pg.Client> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	return client;
}

/**
 * The database this test process works in: one per vitest worker, made on first use beside the
 * one TEST_DATABASE_URL names. Test files in parallel workers then never share a database: Kysely's
 * migrator lists the tables of every schema, and another worker dropping its schema mid-listing
 * fails that query ("schema … does not exist").
 */
let workerUrl: Promise<string> | undefined;

function workerDatabaseUrl(): Promise<string> {
	workerUrl ??= (async () => {
		const url = new URL(testPostgresUrl()!);
		const name = `${url.pathname.slice(1) || 'sealpass'}_w${process.env.VITEST_POOL_ID ?? '0'}`;
		const client = await connect(url.toString());
		try {
			const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
				name
			]);
			if (!rowCount) {
				await client
					.query(
						`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`
					)
					// Made by a test process that ran at the same moment: as good.
					.catch((error: { code?: string }) => {
						if (error.code !== '42P04') throw error;
					});
			}
		} finally {
			await client.end();
		}
		url.pathname = `/${name}`;
		return url.toString();
	})();
	return workerUrl;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = await connect(await workerDatabaseUrl());
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/**
 * The schema of each path in use in this process: a random name, so two test processes (or a
 * leftover from a killed run) never share one; the same path reopens the same schema.
 */
const schemas = new Map<string, string>();

function schemaName(path: string): string {
	let name = schemas.get(path);
	if (!name) {
		name = `sealpass_t_${randomBytes(10).toString('hex')}`;
		schemas.set(path, name);
	}
	return name;
}

/**
 * The URL of the test database for `path`: `sqlite:<path>`, or on PostgreSQL the server's URL
 * with its connections' search_path set to the schema for that path, created if missing.
 */
export async function testDatabaseUrl(path: string): Promise<string> {
	const server = testPostgresUrl();
	if (!server) return `sqlite:${path}`;
	const name = schemaName(path);
	await admin((client) => client.query(`create schema if not exists ${name}`));
	const url = new URL(await workerDatabaseUrl());
	url.searchParams.set('options', `-c search_path=${name}`);
	return url.toString();
}

/**
 * Opens the test database for `path` (see testDatabaseUrl). Several handles may be open on one
 * path (two servers on one database); closing the last one drops the PostgreSQL schema.
 */
export async function openTestDatabase(path: string): Promise<OpenDatabase> {
	// Loaded here: the database module uses Vite's import.meta.glob (see test-server.ts).
	const { openDatabase } = await import('../../src/lib/server/db');
	const url = await testDatabaseUrl(path);
	const open = openDatabase(url);
	if (!testPostgresUrl()) return open;
	const name = schemaName(path);
	handles.set(name, (handles.get(name) ?? 0) + 1);
	let closed = false;
	return {
		...open,
		close: async () => {
			if (closed) return;
			closed = true;
			await open.close();
			const left = (handles.get(name) ?? 1) - 1;
			if (left > 0) return void handles.set(name, left);
			handles.delete(name);
			schemas.delete(path);
			await admin((client) => client.query(`drop schema if exists ${name} cascade`));
		}
	};
}

/**
 * A second connection of its own to the test database for `path`, outside the app's code, as
 * someone with access to the database would use it: what it is refused, the database refuses.
 */
export interface RawConnection {
	exec: (text: string, params?: unknown[]) => Promise<void>;
	/** Runs `change` with one trigger of `table` out of the way, then puts the trigger back. */
	withoutTrigger: (table: string, trigger: string, change: string) => Promise<void>;
	close: () => Promise<void>;
}

export async function openRawConnection(path: string): Promise<RawConnection> {
	if (!testPostgresUrl()) {
		const { default: SQLite } = await import('better-sqlite3');
		const raw = new SQLite(path);
		const exec = async (text: string, params: unknown[] = []) => {
			if (params.length) raw.prepare(text).run(...params);
			else raw.exec(text);
		};
		return {
			exec,
			withoutTrigger: async (_table, trigger, change) => {
				const { sql } = raw
					.prepare(`select sql from sqlite_master where type = 'trigger' and name = ?`)
					.get(trigger) as { sql: string };
				raw.exec(`drop trigger ${trigger}`);
				raw.exec(change);
				raw.exec(sql);
			},
			close: async () => void raw.close()
		};
	}
	const client = await connect(await testDatabaseUrl(path));
	const exec = async (text: string, params: unknown[] = []) => {
		// pg numbers its parameters; the tests write SQLite's `?`.
		let n = 0;
		await client.query(
			text.replace(/\?/g, () => `$${++n}`),
			params
		);
	};
	return {
		exec,
		withoutTrigger: async (table, trigger, change) => {
			await exec('begin');
			await exec(`alter table ${table} disable trigger ${trigger}`);
			await exec(change);
			await exec(`alter table ${table} enable trigger ${trigger}`);
			await exec('commit');
		},
		close: () => client.end()
	};
}
