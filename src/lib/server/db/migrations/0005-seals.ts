import { type Kysely, sql } from 'kysely';
import { columnType } from '../dialects/schema';

/*
 * Seal records and the user's saved signature (SPEC SK). `seal_authorisations.seal_id` (0004)
 * names these rows. Images live in the blob store under their SHA-256; a row only names the
 * hash, so an image is stored once however many seals or users share it. Schema builder only,
 * so it runs unchanged on SQLite and PostgreSQL.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('seals')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('shape', 'text', (c) => c.notNull().check(sql`shape in ('round', 'oval', 'square')`))
		.addColumn('width_mm', columnType(db, 'float'), (c) => c.notNull())
		.addColumn('height_mm', columnType(db, 'float'), (c) => c.notNull())
		// The domain SealSpec of a generated seal as JSON; null for a seal made from a photo.
		.addColumn('spec_json', 'text')
		// SHA-256 of the transparent PNG: a new image is a new hash, never an overwrite, so
		// manifests that drew with the old image keep pointing at the bytes they were signed with.
		.addColumn('image_hash', 'text', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'disabled')`))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
		.execute();
	await db.schema.createIndex('seals_org').on('seals').columns(['org_id', 'status']).execute();
	// Image visibility looks seals up by image (GET /api/blobs/[hash]).
	await db.schema.createIndex('seals_image').on('seals').column('image_hash').execute();

	// SHA-256 of the user's saved signature PNG; null when none is saved.
	await db.schema.alterTable('users').addColumn('default_signature', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('default_signature').execute();
	await db.schema.dropTable('seals').execute();
}
