import type { Kysely } from 'kysely';

/*
 * One person in several organisations (SPEC MO1): a user row stays one membership (its org,
 * role, seal-keeper mark, deactivation, tickets and submissions), and person_id links the rows
 * of one person. Every existing row is its own person. The column stays nullable so a row
 * inserted by code that does not know about persons is still a person of its own (null reads
 * as the row's id), instead of failing a NOT NULL it cannot satisfy.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').addColumn('person_id', 'text').execute();
	await db
		.updateTable('users')
		.set((eb) => ({ person_id: eb.ref('id') }))
		.execute();
	await db.schema.createIndex('users_person').on('users').column('person_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('users_person').execute();
	await db.schema.alterTable('users').dropColumn('person_id').execute();
}
