import { type Kysely, sql } from 'kysely';
import { createRowTrigger, dropRowTrigger, numberRows, type RowTrigger } from '../dialects/schema';

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
 * update of change_seq only) does not fire again. On PostgreSQL the same triggers are plpgsql
 * functions (createRowTrigger); the clock's row lock, held to commit, keeps counter order commit
 * order there too, and an UPDATE OF trigger does not fire for a stamp that sets change_seq only.
 */

const STAMP = (envelopeId: string) => `
	UPDATE sync_clock SET seq = seq + 1 WHERE id = 1;
	UPDATE envelopes SET change_seq = (SELECT seq FROM sync_clock WHERE id = 1) WHERE id = ${envelopeId};`;

const TRIGGERS: RowTrigger[] = [
	{ name: 'envelopes_created_sync', event: 'INSERT', table: 'envelopes', body: STAMP('NEW.id') },
	{
		name: 'envelopes_changed_sync',
		event: 'UPDATE OF title, status, revision, doc_sha256, page_count, definition',
		table: 'envelopes',
		body: STAMP('NEW.id')
	},
	{
		name: 'submissions_accepted_sync',
		event: 'INSERT',
		table: 'submissions',
		body: STAMP('NEW.envelope_id')
	},
	{
		name: 'envelope_signers_added_sync',
		event: 'INSERT',
		table: 'envelope_signers',
		body: STAMP('NEW.envelope_id')
	},
	{
		name: 'envelope_signers_removed_sync',
		event: 'DELETE',
		table: 'envelope_signers',
		body: STAMP('OLD.envelope_id')
	}
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
	await numberRows(db, 'envelopes', 'change_seq', ['created_at', 'id']);
	await sql`INSERT INTO sync_clock (id, seq) SELECT 1, COALESCE(MAX(change_seq), 0) FROM envelopes`.execute(
		db
	);
	await db.schema
		.createIndex('envelopes_change_seq')
		.on('envelopes')
		.column('change_seq')
		.execute();
	for (const trigger of TRIGGERS) await createRowTrigger(db, trigger);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	for (const trigger of TRIGGERS) await dropRowTrigger(db, trigger);
	await db.schema.dropIndex('envelopes_change_seq').execute();
	await db.schema.alterTable('envelopes').dropColumn('change_seq').execute();
	await db.schema.dropTable('sync_clock').execute();
}
