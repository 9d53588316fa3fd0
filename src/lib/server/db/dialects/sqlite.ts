import SQLite from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver } from 'kysely';

/**
 * Opens the embedded SQLite database with the settings every later write relies on:
 * WAL so readers never block the writer, busy_timeout so a concurrent writer waits instead of
 * failing with SQLITE_BUSY, and foreign keys on (SQLite leaves them off by default).
 * Everything SQLite-specific lives in this folder so another dialect can be added by URL.
 */
export function openSqlite(path: string): { dialect: SqliteDialect; close: () => void } {
	let database: SQLite.Database;
	try {
		mkdirSync(dirname(path), { recursive: true });
		database = new SQLite(path, { fileMustExist: false });
		database.pragma('journal_mode = WAL');
		database.pragma('busy_timeout = 5000');
		database.pragma('foreign_keys = ON');
		database.pragma('synchronous = NORMAL');
		// Fails now, with the path in the message, rather than on the first request.
		database.prepare('select 1').get();
	} catch (cause) {
		const reason = cause instanceof Error ? cause.message : String(cause);
		throw new DatabaseOpenError(path, reason, { cause });
	}
	return { dialect: new ImmediateSqliteDialect(database), close: () => database.close() };
}

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) BEGIN. A deferred transaction
 * that reads and then writes cannot wait for another connection's write lock: it fails with
 * SQLITE_BUSY at once, busy_timeout or not. BEGIN IMMEDIATE takes the write lock first (waiting up
 * to busy_timeout), so writers from several processes (server, CLI, tests) queue instead of
 * failing, and a read-then-append such as the audit chain's never races (docs/architecture.md,
 * "Rules that keep data safe"). Inside one process Kysely's single connection already serialises
 * transactions.
 */
class ImmediateSqliteDialect extends SqliteDialect {
	constructor(private readonly database: SQLite.Database) {
		super({ database });
	}

	createDriver(): Driver {
		const driver = super.createDriver();
		driver.beginTransaction = async (connection: DatabaseConnection) => {
			await connection.executeQuery(CompiledQuery.raw('begin immediate'));
		};
		// On SQLITE_FULL (and some I/O errors) SQLite has already rolled the transaction back.
		// Kysely's ROLLBACK would then fail with "no transaction is active" and that error would
		// replace the real one, so a full disk read as an internal error instead of SERVER_DISK_FULL.
		const rollback = driver.rollbackTransaction.bind(driver);
		driver.rollbackTransaction = async (connection: DatabaseConnection) => {
			if (this.database.inTransaction) await rollback(connection);
		};
		return driver;
	}
}

/** Raised when the database file cannot be opened; the message names the path and the reason. */
export class DatabaseOpenError extends Error {
	constructor(
		readonly path: string,
		readonly reason: string,
		options?: ErrorOptions
	) {
		super(`Cannot open the database at ${path}: ${reason}`, options);
		this.name = 'DatabaseOpenError';
	}
}

/** The side-file locks the current async call chain holds. */
const heldLocks = new AsyncLocalStorage<Set<string>>();

/**
 * Runs `fn` while holding a lock that every process opening the same SQLite file respects: the
 * exclusive lock of a small side file (`<database>.lock`). Several app servers starting together
 * on one file would otherwise each see a migration pending and each run it (Kysely's migration
 * lock is a no-op on SQLite, which it assumes has one connection), or each seed an empty
 * database. A side file, not the database itself, so the holder can still write the database
 * from its own connection. The operating system drops the lock when its process dies, so a crash
 * never leaves it held.
 */
export async function withSqliteFileLock<T>(
	path: string,
	fn: () => Promise<T>,
	options: { timeoutMs?: number; pollMs?: number } = {}
): Promise<T> {
	if (path === ':memory:' || path === '') return fn();
	const { timeoutMs = 10 * 60_000, pollMs = 50 } = options;
	const lockPath = `${path}.lock`;
	// Start-up holds the lock and migrates inside it, and migrating takes the lock too: a nested
	// call from the holder runs at once instead of waiting for itself.
	const held = heldLocks.getStore();
	if (held?.has(lockPath)) return fn();
	let lock: SQLite.Database;
	try {
		mkdirSync(dirname(path), { recursive: true });
		lock = new SQLite(lockPath);
		// Never wait inside SQLite: that would block this process's event loop.
		lock.pragma('busy_timeout = 0');
	} catch (cause) {
		const reason = cause instanceof Error ? cause.message : String(cause);
		throw new DatabaseOpenError(lockPath, reason, { cause });
	}
	const started = Date.now();
	try {
		for (;;) {
			try {
				lock.exec('begin exclusive');
				break;
			} catch (error) {
				if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
				if (Date.now() - started > timeoutMs) {
					throw new DatabaseOpenError(
						lockPath,
						`another process has held the start-up lock for over ${Math.round(timeoutMs / 1000)} s`
					);
				}
				await new Promise((resolve) => setTimeout(resolve, pollMs));
			}
		}
		try {
			return await heldLocks.run(new Set([...(held ?? []), lockPath]), fn);
		} finally {
			lock.exec('commit');
		}
	} finally {
		lock.close();
	}
}
