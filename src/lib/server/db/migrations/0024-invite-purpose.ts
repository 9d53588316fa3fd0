import type { Kysely } from 'kysely';

/*
 * Re-enrolment links (SPEC RC1–RC6) are invites bound to an existing account: the purpose says
 * which (every older invite enrolled a new person), and keep_passkeys is the administrator's
 * choice, made when the link is issued, to leave the account's old passkeys active.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('invites')
		.addColumn('purpose', 'text', (c) => c.notNull().defaultTo('enrol'))
		.execute();
	await db.schema
		.alterTable('invites')
		.addColumn('keep_passkeys', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('invites').dropColumn('keep_passkeys').execute();
	await db.schema.alterTable('invites').dropColumn('purpose').execute();
}
