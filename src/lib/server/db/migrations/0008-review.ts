import { type Kysely, sql } from 'kysely';

/*
 * Review of synced signatures (SPEC RV). `review_items` is the admin list: one row per stored
 * submission and per refused attempt, carrying every filter as a plain column so each filter has
 * an index that also yields the newest-first order (no sort, no scan over 100 000 rows).
 * `review_decisions` keeps every accept / flag with who and when; the item holds the latest.
 * Schema builder only, so it runs unchanged on SQLite and PostgreSQL.
 */

/** RV1 as it stood when this migration was written: a migration must not change with the code. */
const OFFLINE_AFTER_MS = 5 * 60_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('review_items')
		// The submission id for a stored submission, the event id for a refused attempt.
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
		.addColumn('submission_id', 'text', (c) => c.unique().references('submissions.id'))
		// Null for a refused attempt whose manifest could not be read.
		.addColumn('envelope_id', 'text')
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('received_at', 'text', (c) => c.notNull())
		.addColumn('status', 'text', (c) =>
			c.notNull().check(sql`status in ('accepted', 'refused', 'flagged', 'reviewed-ok')`)
		)
		.addColumn('decision', 'text', (c) => c.check(sql`decision in ('signed', 'rejected')`))
		// 0 or 1 (RV1); null for a refused attempt, whose device time was never trusted.
		.addColumn('offline', 'integer')
		// The refusal code of a refused attempt.
		.addColumn('code', 'text')
		.execute();
	// One index per filter, each ending in the list order (received_at, id): the newest page of
	// any single filter is read straight off the index.
	const orderedBy = (name: string, columns: string[]) =>
		db.schema
			.createIndex(name)
			.on('review_items')
			.columns([...columns, 'received_at', 'id'])
			.execute();
	await orderedBy('review_items_org', ['org_id']);
	await orderedBy('review_items_org_status', ['org_id', 'status']);
	await orderedBy('review_items_org_envelope', ['org_id', 'envelope_id']);
	await orderedBy('review_items_org_user', ['org_id', 'user_id']);
	await orderedBy('review_items_org_decision', ['org_id', 'decision']);
	await orderedBy('review_items_org_offline', ['org_id', 'offline']);

	await db.schema
		.createTable('review_decisions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('submission_id', 'text', (c) => c.notNull().references('submissions.id'))
		.addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('ok', 'flagged')`))
		.addColumn('comment', 'text', (c) => c.notNull())
		.addColumn('admin_id', 'text', (c) => c.notNull().references('users.id'))
		.addColumn('at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.createIndex('review_decisions_submission')
		.on('review_decisions')
		.columns(['submission_id', 'at'])
		.execute();
	// The detail page reads the ingest event of one submission.
	await db.schema
		.createIndex('submission_events_submission')
		.on('submission_events')
		.column('submission_id')
		.execute();

	// Backfill what ingest stored before this migration.
	const stored = await db
		.selectFrom('submissions as s')
		.innerJoin('envelopes as e', 'e.id', 's.envelope_id')
		.select([
			's.id',
			'e.org_id',
			's.envelope_id',
			's.user_id',
			's.received_at',
			's.device_time',
			's.manifest_json'
		])
		.execute();
	for (const row of stored) {
		const manifest = JSON.parse(row.manifest_json) as { decision?: { kind?: string } };
		const gap = Date.parse(row.received_at) - Date.parse(row.device_time);
		await db
			.insertInto('review_items')
			.values({
				id: row.id,
				org_id: row.org_id,
				submission_id: row.id,
				envelope_id: row.envelope_id,
				user_id: row.user_id,
				received_at: row.received_at,
				status: 'accepted',
				decision: manifest.decision?.kind === 'rejected' ? 'rejected' : 'signed',
				offline: Number.isFinite(gap) && gap > OFFLINE_AFTER_MS ? 1 : 0,
				code: null
			})
			.execute();
	}
	const refused = await db
		.selectFrom('submission_events as ev')
		.innerJoin('users as u', 'u.id', 'ev.user_id')
		.select(['ev.id', 'u.org_id', 'ev.envelope_id', 'ev.user_id', 'ev.at', 'ev.code'])
		.where('ev.outcome', '=', 'refused')
		.execute();
	for (const row of refused) {
		await db
			.insertInto('review_items')
			.values({
				id: row.id,
				org_id: row.org_id,
				submission_id: null,
				envelope_id: row.envelope_id,
				user_id: row.user_id,
				received_at: row.at,
				status: 'refused',
				decision: null,
				offline: null,
				code: row.code
			})
			.execute();
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('submission_events_submission').execute();
	await db.schema.dropTable('review_decisions').execute();
	await db.schema.dropTable('review_items').execute();
}
