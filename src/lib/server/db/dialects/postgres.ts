import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { CompiledQuery, PostgresDialect, type DatabaseConnection, type Driver } from 'kysely';

/*
 * PostgreSQL, chosen with DATABASE_URL=postgres://user:password@host:port/database. Everything
 * PostgreSQL-specific at run time lives here; what migrations need is in ./schema.ts.
 */

/** The URL with its password (and any query string) left out, for messages and the health report. */
export function postgresLocation(url: string): string {
	try {
		const parsed = new URL(url);
		const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
		return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
	} catch {
		// Not a URL at all: show the scheme and nothing that could be a secret.
		return `${url.split(':')[0]}://***`;
	}
}

/**
 * pg returns int8 (count(*), sum() of integers, bigint columns) and numeric (sum() of bigint) as
 * strings, because they may exceed 2^53. The code counts rows and numbers a chain; a string there
 * would compare and add wrongly ('10' < '9', '1' + 1), so they come back as numbers, and a value
 * past 2^53 fails loudly instead of losing digits.
 */
function toSafeNumber(text: string): number {
	const value = Number(text);
	if (!Number.isSafeInteger(value) && Number.isInteger(value)) {
		throw new RangeError(`PostgreSQL returned ${text}, beyond the safe integer range`);
	}
	return value;
}

const types: pg.CustomTypesConfig = {
	getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
		if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return toSafeNumber;
		return pg.types.getTypeParser(oid, format);
	}) as pg.CustomTypesConfig['getTypeParser']
};

/**
 * Key of the advisory lock every transaction takes first. An arbitrary constant (the bytes of
 * "SEALPASS" would not fit int8 signed; this is their first seven).
 */
export const WRITER_LOCK_KEY = 0x5345414c504153n;

/**
 * Transactions serialise as SQLite's BEGIN IMMEDIATE makes them: each takes one
 * transaction-scoped advisory lock at BEGIN, so the read-then-write transactions (the audit
 * chain's head, ticket consumption, seal use counts, idempotent ingest, job leases) see the same
 * one-writer-at-a-time world on both engines, also across several servers on one database.
 * Without it READ COMMITTED lets two transactions read the same head and both append to it (the
 * audit chain forks, or one fails on a unique key as an internal error). Statements outside a
 * transaction (reads, single-statement conditional updates) do not wait for it.
 */
class SerialisedPostgresDialect extends PostgresDialect {
	createDriver(): Driver {
		const driver = super.createDriver();
		const begin = driver.beginTransaction.bind(driver);
		const lock = `select pg_advisory_xact_lock(${WRITER_LOCK_KEY})`;
		driver.beginTransaction = async (connection: DatabaseConnection, settings) => {
			// BEGIN and the lock go as one simple-protocol message (no parameters, so pg may send
			// two statements at once): one round trip instead of two for every transaction.
			if (!settings.isolationLevel && !settings.accessMode) {
				await connection.executeQuery(CompiledQuery.raw(`begin; ${lock}`));
				return;
			}
			await begin(connection, settings);
			await connection.executeQuery(CompiledQuery.raw(lock));
		};
		return driver;
	}
}

/**
 * A pool on the database named by `url`; connections open lazily, on the first query, so a
 * wrong host or password is reported by the first migration (with the location, not the URL).
 */
export function openPostgres(url: string): PostgresDialect {
	// Pipeline mode: a query handed to a connection that is still waiting for an earlier answer is
	// sent at once instead of queued behind it. Kysely sends one statement at a time, so nothing
	// changes there; runTogether (db/together.ts) hands over several together, one round trip.
	const pool = new pg.Pool({ connectionString: url, types, max: 10, pipeline: true });
	// An idle client losing its server (a restart) must not crash the process; the next query
	// gets a fresh connection and reports the error there.
	pool.on('error', () => {});
	return new SerialisedPostgresDialect({ pool });
}

/** Key of the session-level advisory lock start-up holds (migrations, seed, first keys). */
export const STARTUP_LOCK_KEY = 0x5345414c504154n;

const heldStartup = new AsyncLocalStorage<Set<string>>();

/**
 * Runs `fn` while this process holds PostgreSQL's start-up lock on the database at `url`: app
 * servers starting together migrate and seed one at a time, as the side-file lock does for
 * SQLite. A connection of its own holds the session lock, so the app's pool stays free for the
 * work inside; the server drops the lock when that connection ends, so a crash never keeps it.
 * A nested call from the holder runs at once instead of waiting for itself.
 */
export async function withPostgresLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
	if (heldStartup.getStore()?.has(url)) return fn();
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(`select pg_advisory_lock(${STARTUP_LOCK_KEY})`);
		return await heldStartup.run(new Set([...(heldStartup.getStore() ?? []), url]), fn);
	} finally {
		await client.end();
	}
}
