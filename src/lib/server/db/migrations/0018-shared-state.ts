import type { Kysely } from 'kysely';

/*
 * Rate-limit counters move from one process's memory to the database, so that several app
 * servers behind a load balancer share one count per key: otherwise each server would allow the
 * full limit and N servers N times as many attempts. One row per limiter scope and key, holding
 * the current fixed window's count and when that window ends (ISO text, like every other time).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('rate_limits')
		.addColumn('scope', 'text', (c) => c.notNull())
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('count', 'integer', (c) => c.notNull())
		.addColumn('reset_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('rate_limits_pk', ['scope', 'key'])
		.execute();
	// The sweep deletes ended windows by time.
	await db.schema
		.createIndex('rate_limits_reset_at')
		.on('rate_limits')
		.column('reset_at')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('rate_limits').execute();
}
