import { sql } from 'kysely';
import { currentMigration } from './db';
import type { App } from './app';

export interface HealthReport {
	status: 'ok' | 'degraded';
	version: string;
	database: { ok: boolean; dialect: string; migration: string | null; error?: string };
	blobs: { ok: boolean; error?: string };
}

/** Checks each dependency for real (a query, a writable folder) rather than reporting "up". */
export async function checkHealth(app: App): Promise<HealthReport> {
	let database: HealthReport['database'];
	try {
		await sql`select 1`.execute(app.database.db);
		database = {
			ok: true,
			dialect: app.database.dialect,
			migration: await currentMigration(app.database)
		};
	} catch (error) {
		database = {
			ok: false,
			dialect: app.database.dialect,
			migration: null,
			error: error instanceof Error ? error.message : String(error)
		};
	}
	const blobs = await app.blobs.check();
	return {
		status: database.ok && blobs.ok ? 'ok' : 'degraded',
		version: app.version,
		database,
		blobs
	};
}
