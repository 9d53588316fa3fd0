import type { Kysely } from 'kysely';

/*
 * Signing in with a code (SPEC CL1–CL8): one row per code asked for, also for a contact that is
 * no member's (user_id null, nothing sent), so the cooldown and the counted attempts answer the
 * same whether or not an account is behind the contact. The code is kept only as an HMAC.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('login_codes')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('contact', 'text', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.references('users.id'))
		.addColumn('code_hash', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('locked_at', 'text')
		.addColumn('used_at', 'text')
		.execute();
	await db.schema
		.createIndex('login_codes_contact')
		.on('login_codes')
		.columns(['contact', 'created_at'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('login_codes').execute();
}
