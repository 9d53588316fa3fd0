import { type Kysely, sql } from 'kysely';

/*
 * Challenge tickets and submission ingest (docs/architecture.md). Schema builder only, so it runs
 * unchanged on SQLite and PostgreSQL. Business keys are UNIQUE in the database, not only in
 * code: a ticket confirms at most one submission even if two requests race past the checks.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	// The domain Envelope's non-column parts as JSON: read and written whole, never queried.
	await db.schema.alterTable('envelopes').addColumn('definition', 'text').execute();

	await db.schema
		.createTable('envelope_signers')
		.addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id'))
		.addColumn('signer_id', 'text', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addPrimaryKeyConstraint('envelope_signers_pk', ['envelope_id', 'signer_id'])
		.execute();
	await db.schema
		.createIndex('envelope_signers_user')
		.on('envelope_signers')
		.column('user_id')
		.execute();

	await db.schema
		.createTable('seal_authorisations')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('seal_id', 'text', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('granted_at', 'text', (c) => c.notNull())
		.addColumn('revoked_at', 'text')
		.execute();
	await db.schema
		.createIndex('seal_authorisations_user')
		.on('seal_authorisations')
		.columns(['user_id', 'seal_id'])
		.execute();

	await db.schema
		.createTable('tickets')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
		.addColumn('nonce', 'text', (c) => c.notNull().unique())
		.addColumn('issued_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('used_at', 'text')
		// UNIQUE: one ticket confirms one submission, whatever the code above it does.
		.addColumn('used_by_submission', 'text', (c) => c.unique())
		.execute();
	await db.schema
		.createIndex('tickets_pool')
		.on('tickets')
		.columns(['credential_id', 'used_at', 'expires_at'])
		.execute();

	await db.schema
		.createTable('submissions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id'))
		// Acceptance order within the envelope (1, 2, …): clocks tie, this never does.
		.addColumn('seq', 'integer', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
		.addColumn('ticket_id', 'text', (c) => c.notNull().unique().references('tickets.id'))
		.addColumn('manifest_json', 'text', (c) => c.notNull())
		.addColumn('manifest_hash', 'text', (c) => c.notNull().unique())
		.addColumn('assertion_json', 'text', (c) => c.notNull())
		.addColumn('device_time', 'text', (c) => c.notNull())
		.addColumn('received_at', 'text', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted')`))
		.addUniqueConstraint('submissions_envelope_seq', ['envelope_id', 'seq'])
		.execute();

	// Never pruned: a device may retry a submission after weeks offline, and must get the same answer.
	await db.schema
		.createTable('idempotency_keys')
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('body_hash', 'text', (c) => c.notNull())
		.addColumn('status', 'integer', (c) => c.notNull())
		.addColumn('response_json', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'key'])
		.execute();

	await db.schema
		.createTable('submission_events')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('at', 'text', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('idempotency_key', 'text', (c) => c.notNull())
		.addColumn('envelope_id', 'text')
		.addColumn('ticket_id', 'text')
		.addColumn('submission_id', 'text')
		.addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('accepted', 'refused')`))
		.addColumn('code', 'text')
		.execute();
	await db.schema
		.createIndex('submission_events_user_at')
		.on('submission_events')
		.columns(['user_id', 'at'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'submission_events',
		'idempotency_keys',
		'submissions',
		'tickets',
		'seal_authorisations',
		'envelope_signers'
	]) {
		await db.schema.dropTable(table).execute();
	}
	await db.schema.alterTable('envelopes').dropColumn('definition').execute();
}
