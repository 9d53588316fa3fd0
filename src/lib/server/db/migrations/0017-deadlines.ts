import type { Kysely } from 'kysely';

/*
 * A contract's reminder plan (SPEC DL6): the first reminder so many days before its deadline,
 * then every so many days. Both null means no reminders. Contracts sent before this keep none,
 * so nobody starts receiving reminders they were never told about.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('envelopes').addColumn('reminder_first_days', 'integer').execute();
	await db.schema.alterTable('envelopes').addColumn('reminder_every_days', 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('envelopes').dropColumn('reminder_every_days').execute();
	await db.schema.alterTable('envelopes').dropColumn('reminder_first_days').execute();
}
