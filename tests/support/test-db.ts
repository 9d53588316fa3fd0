import { createHash } from 'node:crypto';
import pg from 'pg';
import type { OpenDatabase } from '../../src/lib/server/db';

/*
 * The database a server test runs on. Without TEST_DATABASE_URL it is a SQLite file at the path
 * the test names (the embedded default, in the test's temporary folder). With
 * TEST_DATABASE_URL=postgres://… each path gets a schema of its own in that database (its
 * connections' search_path), created empty and dropped with everything in it when the last
 * handle on it closes; the same contract tests then run on both engines. A schema, not a
 * database per world: creating a database copies a template (about a second each), a schema
 * costs nothing. Create the database with C collation so text sorts by code point as on SQLite
 * (.ci/run does).
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

/** Open handles per test schema; the last close drops it. */
const handles = new Map<string, number>();

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: testPostgresUrl() });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

function schemaName(path: string): string {
	return `sealpass_t_${createHash('sha256').update(path).digest('hex').slice(0, 20)}`;
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
	const url = new URL(server);
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
			await admin((client) => client.query(`drop schema if exists ${name} cascade`));
		}
	};
}
