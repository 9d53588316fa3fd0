import SQLite from 'better-sqlite3';
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
