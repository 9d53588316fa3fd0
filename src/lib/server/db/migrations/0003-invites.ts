import { type Kysely, sql } from 'kysely';

/*
 * Invites (link + one-time code), the notification outbox, auth events and the personal
 * details of a certified user. Schema builder only, so it runs unchanged on SQLite and
 * PostgreSQL.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	// Secrets the server generates once (e.g. the pepper of code hashes): kept in the database so
	// a copy of the data folder moves them along, and never printed or served.
	await db.schema
		.createTable('server_secrets')
		.addColumn('name', 'text', (c) => c.primaryKey())
		.addColumn('value', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('invites')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('link_token_hash', 'text', (c) => c.notNull().unique())
		// HMAC-SHA-256 keyed with a server secret over invite id + code: six digits alone are
		// brute-forced offline from a bare hash in milliseconds.
		.addColumn('code_hash', 'text', (c) => c.notNull())
		.addColumn('contact', 'text', (c) => c.notNull())
		.addColumn('channel', 'text', (c) =>
			c.notNull().check(sql`channel in ('console', 'smtp', 'sms')`)
		)
		.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('locked_at', 'text')
		.addColumn('redeemed_at', 'text')
		.execute();
	await db.schema
		.createIndex('invites_org_created')
		.on('invites')
		.columns(['org_id', 'created_at'])
		.execute();

	await db.schema
		.createTable('notifications')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('channel', 'text', (c) =>
			c.notNull().check(sql`channel in ('console', 'smtp', 'sms')`)
		)
		.addColumn('recipient', 'text', (c) => c.notNull())
		.addColumn('subject', 'text', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('sent_at', 'text')
		.addColumn('error', 'text')
		.execute();
	await db.schema
		.createIndex('notifications_channel_created')
		.on('notifications')
		.columns(['channel', 'created_at'])
		.execute();

	// Append-only: rows are only ever inserted (the hash-chained audit log comes later).
	await db.schema
		.createTable('auth_events')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'text', (c) => c.references('users.id'))
		.addColumn('invite_id', 'text', (c) => c.references('invites.id'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('detail', 'text', (c) => c.notNull())
		.addColumn('ip', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('auth_events_invite').on('auth_events').column('invite_id').execute();

	await db.schema.alterTable('users').addColumn('real_name', 'text').execute();
	// Only a masked form is kept for display and a keyed hash for de-duplication: the raw
	// number is never stored.
	await db.schema.alterTable('users').addColumn('id_number_masked', 'text').execute();
	await db.schema.alterTable('users').addColumn('id_number_hash', 'text').execute();
	await db.schema.alterTable('users').addColumn('verified_at', 'text').execute();
	await db.schema
		.createIndex('users_id_number_hash')
		.on('users')
		.column('id_number_hash')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('users_id_number_hash').execute();
	for (const column of ['verified_at', 'id_number_hash', 'id_number_masked', 'real_name']) {
		await db.schema.alterTable('users').dropColumn(column).execute();
	}
	for (const table of ['auth_events', 'notifications', 'invites', 'server_secrets']) {
		await db.schema.dropTable(table).execute();
	}
}
