import { type Kysely, sql } from 'kysely';

/*
 * Change tracking for the device pull (GET /api/sync/pull). Every write that changes what a
 * signer's device holds about an envelope — the envelope row itself (status, revision,
 * document, definition, title), an accepted manifest, a signer assigned or removed — stamps the
 * envelope with the next value of one global counter, in the same transaction as the write.
 *
 * Triggers rather than calls in application code: the admin console and revocation are being
 * written elsewhere, and a write that forgot to bump the counter would silently never reach a
 * device. SQLite runs one writer at a time, so counter order is commit order and a reader that
 * saw seq n has seen every change ≤ n; recursive triggers are off, so the stamp itself (an
 * update of change_seq only) does not fire again. PostgreSQL, when its dialect is added, needs
 * the same three triggers as plpgsql functions; the schema-builder parts run there as they are.
 */

const STAMP = (envelopeId: string) => `
	UPDATE sync_clock SET seq = seq + 1 WHERE id = 1;
	UPDATE envelopes SET change_seq = (SELECT seq FROM sync_clock WHERE id = 1) WHERE id = ${envelopeId};`;

const TRIGGERS: [name: string, when: string, envelopeId: string][] = [
	['envelopes_created_sync', 'AFTER INSERT ON envelopes', 'NEW.id'],
	[
		'envelopes_changed_sync',
		'AFTER UPDATE OF title, status, revision, doc_sha256, page_count, definition ON envelopes',
		'NEW.id'
	],
	['submissions_accepted_sync', 'AFTER INSERT ON submissions', 'NEW.envelope_id'],
	['envelope_signers_added_sync', 'AFTER INSERT ON envelope_signers', 'NEW.envelope_id'],
	['envelope_signers_removed_sync', 'AFTER DELETE ON envelope_signers', 'OLD.envelope_id']
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('sync_clock')
		.addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
		.addColumn('seq', 'integer', (c) => c.notNull())
		.execute();
	await db.schema
		.alterTable('envelopes')
		.addColumn('change_seq', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	// Existing envelopes get distinct numbers (a capped pull page ends at one number, so ties
	// could hide envelopes between pages) and the clock starts after them.
	await sql`UPDATE envelopes SET change_seq = rowid`.execute(db);
	await sql`INSERT INTO sync_clock (id, seq) SELECT 1, COALESCE(MAX(change_seq), 0) FROM envelopes`.execute(
		db
	);
	await db.schema
		.createIndex('envelopes_change_seq')
		.on('envelopes')
		.column('change_seq')
		.execute();
	for (const [name, when, envelopeId] of TRIGGERS) {
		await sql
			.raw(`CREATE TRIGGER ${name} ${when} FOR EACH ROW BEGIN ${STAMP(envelopeId)} END`)
			.execute(db);
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	for (const [name] of TRIGGERS) await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
	await db.schema.dropIndex('envelopes_change_seq').execute();
	await db.schema.alterTable('envelopes').dropColumn('change_seq').execute();
	await db.schema.dropTable('sync_clock').execute();
}
