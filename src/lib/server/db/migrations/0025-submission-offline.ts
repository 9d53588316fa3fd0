import type { Kysely } from 'kysely';

/*
 * Whether the device had no network when the signer confirmed (SPEC RV1), as the device reported
 * it: 1 offline, 0 online, null for submissions from before this migration or from clients that
 * do not report it (the review then judges by the clock gap alone).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('submissions').addColumn('confirmed_offline', 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('submissions').dropColumn('confirmed_offline').execute();
}
