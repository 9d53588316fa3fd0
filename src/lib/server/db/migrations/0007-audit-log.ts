import type { Kysely } from 'kysely';
import {
	createAppendOnlyGuards,
	createChainHeadCheck,
	dropAppendOnlyGuards,
	dropChainHeadCheck
} from '../dialects/schema';

/*
 * The hash-chained audit log (SPEC A1–A8). Rows are only ever appended:
 * triggers refuse UPDATE and DELETE outright (on PostgreSQL TRUNCATE too), and a BEFORE INSERT trigger refuses any row
 * that is not the next link of the chain (seq = last + 1, prev_hash = last hash), so even a
 * buggy or racing writer cannot fork the chain. The older evidence tables (auth_events,
 * submission_events) get the same UPDATE/DELETE refusal. Someone with the database file can
 * still drop a trigger; that is what the chain's hashes and the verify action are for.
 */

/** prev_hash of the first row (A3): 64 zeros, so the first row needs no special case. */
const GENESIS = '0'.repeat(64);

const APPEND_ONLY = ['audit_log', 'auth_events', 'submission_events'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('audit_log')
		// Assigned by the writer as last + 1 (never AUTOINCREMENT): a gap is then evidence.
		.addColumn('seq', 'integer', (c) => c.primaryKey())
		.addColumn('at', 'text', (c) => c.notNull())
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('actor', 'text')
		.addColumn('subject', 'text')
		// Canonical JSON (RFC 8785) of the event's data, exactly as it was hashed.
		.addColumn('data', 'text', (c) => c.notNull())
		.addColumn('prev_hash', 'text', (c) => c.notNull().unique())
		.addColumn('hash', 'text', (c) => c.notNull().unique())
		.execute();
	// The admin filter by subject, newest first, without a scan.
	await db.schema
		.createIndex('audit_log_subject_seq')
		.on('audit_log')
		.columns(['subject', 'seq'])
		.execute();

	await createAppendOnlyGuards(db, APPEND_ONLY);
	await createChainHeadCheck(db, GENESIS);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
	await dropChainHeadCheck(db);
	await dropAppendOnlyGuards(db, APPEND_ONLY);
	await db.schema.dropTable('audit_log').execute();
}
