import { type Kysely, sql } from 'kysely';
import { columnType } from '../dialects/schema';

/*
 * Passkeys (WebAuthn credentials) and the server-side challenges of their ceremonies. Schema
 * builder only, so it runs unchanged on SQLite and PostgreSQL: binary and 64-bit columns are spelled per engine (columnType), and
 * booleans are stored as 0/1 integers because SQLite has no boolean type.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('credentials')
		// The credential id as the browser reports it (base64url), so lookups need no decoding.
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('public_key', columnType(db, 'binary'), (c) => c.notNull())
		.addColumn('counter', columnType(db, 'int64'), (c) => c.notNull())
		.addColumn('transports', 'text', (c) => c.notNull())
		.addColumn('device_type', 'text', (c) =>
			c.notNull().check(sql`device_type in ('singleDevice', 'multiDevice')`)
		)
		.addColumn('backed_up', 'integer', (c) => c.notNull().check(sql`backed_up in (0, 1)`))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('last_used_at', 'text')
		// Revoked rows are kept: later evidence names the credential that confirmed a signature.
		.addColumn('revoked_at', 'text')
		.execute();
	await db.schema.createIndex('credentials_user').on('credentials').column('user_id').execute();

	await db.schema
		.createTable('webauthn_challenges')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('challenge', 'text', (c) => c.notNull().unique())
		.addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('register', 'login')`))
		.addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('used_at', 'text')
		.execute();
	await db.schema
		.createIndex('webauthn_challenges_expires')
		.on('webauthn_challenges')
		.column('expires_at')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('webauthn_challenges').execute();
	await db.schema.dropTable('credentials').execute();
}
