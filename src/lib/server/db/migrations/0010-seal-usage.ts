import { type Kysely, sql } from 'kysely';

/*
 * Seal usage (SPEC SA7, SA8): one row per stored submission and seal it stamps with,
 * written by ingest in the submission's transaction, so the seal list counts uses with one
 * GROUP BY and the usage history of a seal is read newest first straight off an index, instead of
 * parsing every manifest of the organisation on each load. `marks` keeps how the manifest stamped
 * with the seal (seal field, free seal, riding seam, and their pages) as JSON, so the history
 * needs no manifest either. `seal_id` has no foreign key, like `seal_authorisations.seal_id`
 * (0004): the row records what the signed manifest names. Schema builder only, so it runs
 * unchanged on SQLite and PostgreSQL.
 */

/** Submissions read per backfill step, so a large database is never held in memory at once. */
const BACKFILL_BATCH = 500;

type Mark = { kind: 'seal-field' | 'free-seal' | 'riding-seam'; pages: number[] | 'all' };

/**
 * The manifest (v1) read as `manifestSealUses` read it when this migration was written. A copy
 * on purpose: a migration must not change with the code (same rule as 0008's RV1 constant).
 */
function sealUsesAsOf0010(manifestJson: string): { sealId: string; marks: Mark[] }[] {
	const manifest = JSON.parse(manifestJson) as {
		fills?: { kind: string; sealId?: string; page: number }[];
		seals?: { sealId: string; page: number }[];
		ridingSeams?: { sealId: string; pages: number[] | 'all' }[];
	};
	const uses = new Map<string, Mark[]>();
	const add = (sealId: string, mark: Mark) => uses.set(sealId, [...(uses.get(sealId) ?? []), mark]);
	for (const fill of manifest.fills ?? []) {
		if (fill.kind === 'seal' && fill.sealId)
			add(fill.sealId, { kind: 'seal-field', pages: [fill.page] });
	}
	for (const seal of manifest.seals ?? [])
		add(seal.sealId, { kind: 'free-seal', pages: [seal.page] });
	for (const seam of manifest.ridingSeams ?? []) {
		add(seam.sealId, {
			kind: 'riding-seam',
			pages: seam.pages === 'all' ? 'all' : [...seam.pages]
		});
	}
	return [...uses].map(([sealId, marks]) => ({ sealId, marks }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
async function createAndBackfill(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('seal_uses')
		.addColumn('submission_id', 'text', (c) => c.notNull().references('submissions.id'))
		.addColumn('seal_id', 'text', (c) => c.notNull())
		.addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id'))
		// The submission's receipt time, copied so the history's order is on this table's index.
		.addColumn('received_at', 'text', (c) => c.notNull())
		// JSON array of { kind, pages }, in manifest order; at least one mark.
		.addColumn('marks', 'text', (c) => c.notNull().check(sql`marks like '[{%'`))
		.addPrimaryKeyConstraint('seal_uses_pk', ['submission_id', 'seal_id'])
		.execute();
	// The history of one seal, newest first (keyset on received_at, submission_id), and the
	// per-seal count of the list, both read from this index alone.
	await db.schema
		.createIndex('seal_uses_seal')
		.on('seal_uses')
		.columns(['seal_id', 'received_at', 'submission_id'])
		.execute();

	// Backfill every submission stored before this migration, in id order, a batch at a time.
	let after = '';
	for (;;) {
		const batch = await db
			.selectFrom('submissions')
			.select(['id', 'envelope_id', 'received_at', 'manifest_json'])
			.where('id', '>', after)
			.orderBy('id')
			.limit(BACKFILL_BATCH)
			.execute();
		for (const row of batch) {
			const uses = sealUsesAsOf0010(row.manifest_json);
			if (uses.length === 0) continue;
			await db
				.insertInto('seal_uses')
				.values(
					uses.map((use) => ({
						submission_id: row.id,
						seal_id: use.sealId,
						envelope_id: row.envelope_id,
						received_at: row.received_at,
						marks: JSON.stringify(use.marks)
					}))
				)
				.execute();
		}
		if (batch.length < BACKFILL_BATCH) break;
		after = batch.at(-1)!.id;
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see createAndBackfill()
export async function up(db: Kysely<any>): Promise<void> {
	// Kysely runs SQLite migrations outside a transaction (it reports no transactional DDL), so
	// one is opened here: a backfill that fails half-way leaves no table, and the migration runs
	// again from scratch at the next start. PostgreSQL's migrator already runs inside one.
	if (db.isTransaction) await createAndBackfill(db);
	else await db.transaction().execute((trx) => createAndBackfill(trx));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see createAndBackfill()
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('seal_uses_seal').execute();
	await db.schema.dropTable('seal_uses').execute();
}
