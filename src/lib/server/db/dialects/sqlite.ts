import SQLite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect } from 'kysely';

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
	return { dialect: new SqliteDialect({ database }), close: () => database.close() };
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
