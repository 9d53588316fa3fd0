import type { Kysely } from 'kysely';
import { columnType } from '../dialects/schema';

/*
 * Seal image versions (SPEC R20): every image a seal has stamped with, with its real size and
 * the time it was the seal's image, so ingest and re-verify can tell the seal's own pixels (old
 * or new) from anything else stamped under its id. Regenerating a seal closes the open version
 * and opens the new one in the same transaction. Each existing seal gets one version from its
 * current image and size, valid from its creation; its id is the seal's id (later versions get
 * random ids), so the backfill needs no id generator and runs unchanged on SQLite and PostgreSQL.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('seal_versions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('seal_id', 'text', (c) => c.notNull().references('seals.id'))
		.addColumn('image_hash', 'text', (c) => c.notNull())
		.addColumn('width_mm', columnType(db, 'float'), (c) => c.notNull())
		.addColumn('height_mm', columnType(db, 'float'), (c) => c.notNull())
		.addColumn('valid_from', 'text', (c) => c.notNull())
		// Null while it is the seal's current image.
		.addColumn('valid_until', 'text')
		.execute();
	// Ingest and re-verify read the versions of the few seals a manifest names.
	await db.schema
		.createIndex('seal_versions_seal')
		.on('seal_versions')
		.columns(['seal_id', 'valid_from'])
		.execute();
	await db
		.insertInto('seal_versions')
		.columns(['id', 'seal_id', 'image_hash', 'width_mm', 'height_mm', 'valid_from', 'valid_until'])
		.expression(
			db
				.selectFrom('seals')
				.select([
					'id',
					'id as seal_id',
					'image_hash',
					'width_mm',
					'height_mm',
					'created_at as valid_from',
					(eb) => eb.val(null).as('valid_until')
				])
		)
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('seal_versions').execute();
}
