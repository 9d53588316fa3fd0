import type { Kysely } from 'kysely';

/*
 * Sessions end after a time without use, and a second passkey is enrolled only after a recent
 * passkey check: each session remembers when it was last used and when its user last proved a
 * passkey in it. Existing sessions count as used now (no one is signed out by the upgrade) and
 * as never checked.
 *
 * Refused submissions that never got past the passkey check are counted per day, user and code
 * instead of writing an event, a review item and an audit row each: anyone with a session could
 * otherwise fill the database and the review list with them.
 *
 * A signer's envelope view is recorded once per session and revision: the row here is what
 * "already recorded" means, and it goes with its session.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
	await db.schema.alterTable('sessions').addColumn('verified_at', 'text').execute();
	await db.updateTable('sessions').set({ last_seen_at: new Date().toISOString() }).execute();

	await db.schema
		.createTable('refusal_counts')
		.addColumn('day', 'text', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('code', 'text', (c) => c.notNull())
		.addColumn('count', 'integer', (c) => c.notNull())
		.addColumn('first_at', 'text', (c) => c.notNull())
		.addColumn('last_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('refusal_counts_pk', ['day', 'user_id', 'code'])
		.execute();

	await db.schema
		.createTable('envelope_views')
		.addColumn('session_id_hash', 'text', (c) =>
			c.notNull().references('sessions.id_hash').onDelete('cascade')
		)
		.addColumn('envelope_id', 'text', (c) => c.notNull())
		.addColumn('revision', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('envelope_views_pk', ['session_id_hash', 'envelope_id', 'revision'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('envelope_views').execute();
	await db.schema.dropTable('refusal_counts').execute();
	await db.schema.alterTable('sessions').dropColumn('verified_at').execute();
	await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
}
