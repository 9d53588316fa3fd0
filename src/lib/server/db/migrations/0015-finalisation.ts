import { sql, type Kysely } from 'kysely';

/*
 * A completed contract is finalised once, by a job that survives restarts: the job table holds
 * what is to be done and who holds it (a lease that expires, so a crashed process's job is taken
 * over, and two processes never run one job together). The envelope remembers when it completed
 * and, once finalised, the SHA-256 of the signed final PDF in the blob store; until that column
 * is set there is no final file, so nobody ever reads a half-finalised one.
 *
 * Credentials remember the authenticator's AAGUID (null for those enrolled before this), which
 * names the authenticator on the certificate of completion.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('jobs')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('subject', 'text', (c) => c.notNull())
		.addColumn('state', 'text', (c) =>
			c.notNull().check(sql`state in ('queued', 'running', 'held', 'done', 'failed')`)
		)
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('run_after', 'text', (c) => c.notNull())
		.addColumn('lease_owner', 'text')
		.addColumn('lease_until', 'text')
		.addColumn('last_error', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('jobs_kind_subject', ['kind', 'subject'])
		.execute();
	await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_after']).execute();

	await db.schema.alterTable('envelopes').addColumn('completed_at', 'text').execute();
	await db.schema.alterTable('envelopes').addColumn('final_sha256', 'text').execute();
	await db.schema.alterTable('envelopes').addColumn('finalised_at', 'text').execute();
	await db.schema.alterTable('credentials').addColumn('aaguid', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('credentials').dropColumn('aaguid').execute();
	await db.schema.alterTable('envelopes').dropColumn('finalised_at').execute();
	await db.schema.alterTable('envelopes').dropColumn('final_sha256').execute();
	await db.schema.alterTable('envelopes').dropColumn('completed_at').execute();
	await db.schema.dropTable('jobs').execute();
}
