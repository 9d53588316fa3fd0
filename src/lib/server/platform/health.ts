import { sql } from 'kysely';
import type { App } from './app';

export interface HealthReport {
	status: 'ok' | 'degraded';
	version: string;
	database: { ok: boolean; dialect: string; migration: string | null; error?: string };
	/** `store` says which backend is in use (BLOB_STORE), never where or with which key. */
	blobs: { ok: boolean; store: 'folder' | 's3'; error?: string };
}

/**
 * Checks each dependency for real (a query, a writable folder) rather than reporting "up", and
 * nothing more: health is polled by load balancers and open to anyone, so it costs one trivial
 * query and a folder check (the migration is the one read at start) and names no path or driver
 * message; those go to the server's log.
 */
export async function checkHealth(
	app: Pick<App, 'database' | 'blobs' | 'version' | 'migration'>
): Promise<HealthReport> {
	let database: HealthReport['database'];
	try {
		await sql`select 1`.execute(app.database.db);
		database = { ok: true, dialect: app.database.dialect, migration: app.migration };
	} catch (error) {
		console.error(`SealPass: health: the database does not answer: ${describe(error)}`);
		database = {
			ok: false,
			dialect: app.database.dialect,
			migration: app.migration,
			error: 'The database does not answer'
		};
	}
	const checked = await app.blobs.check();
	if (!checked.ok) console.error(`SealPass: health: the blob store fails: ${checked.error}`);
	const store = app.blobs.kind;
	const blobs = checked.ok
		? { ok: true, store }
		: { ok: false, store, error: 'The blob store cannot be used' };
	return {
		status: database.ok && blobs.ok ? 'ok' : 'degraded',
		version: app.version,
		database,
		blobs
	};
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
