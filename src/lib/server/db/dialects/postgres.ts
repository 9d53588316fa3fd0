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

const unanswered = new WeakMap<DatabaseConnection, Promise<unknown>>();
const deferring = new WeakSet<DatabaseConnection>();

/**
 * Leaves `sent` unawaited until the connection's next statement (a transaction's first one, or
 * its COMMIT or ROLLBACK), which goes out behind it at once and is answered after it: the next
 * statement's caller gets `sent`'s error first if it failed. PostgreSQL runs them in order, so a
 * failed BEGIN or lock leaves the next statement refused (no transaction, or an aborted one),
 * never run outside the transaction.
 */
function awaitWithNext(connection: DatabaseConnection, sent: Promise<unknown>): void {
	// Observed below; never an unhandled rejection in between.
	sent.catch(() => {});
	unanswered.set(connection, sent);
	if (deferring.has(connection)) return;
	deferring.add(connection);
	const execute = connection.executeQuery.bind(connection);
	connection.executeQuery = (async (query: CompiledQuery) => {
		const before = unanswered.get(connection);
		if (!before) return execute(query);
		unanswered.delete(connection);
		const answer = execute(query);
		try {
			await before;
		} catch (error) {
			await answer.catch(() => {});
			throw error;
		}
		return answer;
	}) as typeof connection.executeQuery;
}

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
			// two statements at once), and its answer is awaited with the transaction's first
			// statement, sent right behind it (pipeline mode): no round trip of its own.
			if (!settings.isolationLevel && !settings.accessMode) {
				awaitWithNext(connection, connection.executeQuery(CompiledQuery.raw(`begin; ${lock}`)));
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
	pool.on('connect', prepareStatements);
	return new SerialisedPostgresDialect({ pool });
}

/** How many statements one connection keeps prepared; past it, new texts go unnamed. */
const PREPARED_PER_CONNECTION = 256;

/**
 * A `*` in a select list or RETURNING: the result's columns come from the table's definition,
 * and a prepared statement whose result columns change (a migration adds one) fails with
 * "cached plan must not change result type" until the connection is replaced.
 */
const STAR_COLUMNS = /(?:\bselect(?:\s+distinct)?|\breturning|,)\s+(?:"[^"]*"\.)?\*/i;

/**
 * Sends each parameterised statement as a named (prepared) one, so PostgreSQL parses and plans
 * a text once per connection instead of on every execution: a busy ingest sends the same twenty
 * texts again and again, and parsing them anew each time was a good part of its time on
 * PostgreSQL. Only statements with parameters (Kysely's queries; never the multi-statement BEGIN
 * or a migration's DDL, which a prepared statement cannot hold) and without `*` columns
 * (STAR_COLUMNS); at most PREPARED_PER_CONNECTION texts per connection, so queries whose text
 * varies (IN lists of any length) cannot grow the server's memory without bound.
 */
function prepareStatements(client: pg.PoolClient): void {
	const query = client.query.bind(client) as (...args: unknown[]) => unknown;
	const names = new Map<string, string>();
	const prepared = (text: unknown, values: unknown, ...rest: unknown[]) => {
		if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
			let name = names.get(text);
			if (!name && names.size < PREPARED_PER_CONNECTION && !STAR_COLUMNS.test(text)) {
				name = `sealpass_${names.size}`;
				names.set(text, name);
			}
			if (name) return query({ name, text, values }, ...rest);
		}
		return query(text, values, ...rest);
	};
	client.query = prepared as typeof client.query;
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
