import type { Kysely } from 'kysely';

/*
 * The address and User-Agent an accepted submission was uploaded from, for the certificate of
 * completion (SPEC CE4). Rows accepted before this migration keep null: the certificate says
 * "not recorded" for them rather than guess.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('submissions').addColumn('client_ip', 'text').execute();
	await db.schema.alterTable('submissions').addColumn('user_agent', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('submissions').dropColumn('user_agent').execute();
	await db.schema.alterTable('submissions').dropColumn('client_ip').execute();
}
