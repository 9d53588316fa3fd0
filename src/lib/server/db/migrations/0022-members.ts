import type { Kysely } from 'kysely';

/*
 * Members' roles and deactivation (SPEC MB1–MB5). The seal keeper is a mark beside the role
 * column rather than a third role value: the column's check constraint would need the users
 * table rebuilt, which every other table references. Deactivation is a time, not a deletion:
 * the member's signatures, audit rows and history stay theirs.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		.addColumn('seal_keeper', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema.alterTable('users').addColumn('deactivated_at', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('deactivated_at').execute();
	await db.schema.alterTable('users').dropColumn('seal_keeper').execute();
}
