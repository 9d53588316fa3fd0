import { sql, type Kysely } from 'kysely';
import type { AuditVerifyResponse } from '$lib/domain/api-types';
import { verifyAuditLog } from '../audit';
import { systemClock } from '../platform/clock';
import { loadConfig } from '../platform/config';
import { loadServerKeys } from '../platform/secrets';
import { migrateToLatest, openDatabase, type OpenDatabase } from './index';

/*
 * Moves a SealPass database from one engine to another (in practice the embedded SQLite file to
 * PostgreSQL): both brought to the newest migration, every table copied row for row in
 * foreign-key order inside one target transaction, so a failure leaves the target as empty as it
 * was. The target's triggers are off during the copy: the sync stamps would renumber every
 * envelope and the append-only checks would judge rows that are already history; the audit chain
 * is verified after the copy instead (the caller runs the audit module's verify).
 */

/** Rows read and written per step, so a large database is never held in memory at once. */
const BATCH = 500;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the copy is schema-agnostic: it copies what the migrations made
type AnyDb = Kysely<any>;

const BOOKKEEPING = /^(kysely_migration|kysely_migration_lock|sqlite_.*)$/;

export interface CopyReport {
	/** Table name → rows copied, in the order copied. */
	tables: { name: string; rows: number }[];
}

/** The application's tables (of the SQLite source), each after the tables its foreign keys name. */
async function tablesInDependencyOrder(db: AnyDb) {
	const tables = (await db.introspection.getTables())
		.map((t) => t.name)
		.filter((name) => !BOOKKEEPING.test(name));
	const parents = new Map<string, Set<string>>();
	for (const table of tables) {
		const { rows } = await sql<{
			table: string;
		}>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
		parents.set(table, new Set(rows.map((r) => r.table).filter((t) => t !== table)));
	}
	const ordered: string[] = [];
	const placed = new Set<string>();
	while (ordered.length < tables.length) {
		const next = tables.filter(
			(t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p))
		);
		if (next.length === 0) throw new Error('the tables have a foreign-key cycle');
		for (const t of next.sort()) {
			ordered.push(t);
			placed.add(t);
		}
	}
	return ordered;
}

/** The columns that order a table's rows for a stable, resumable read: its primary key. */
async function orderColumns(db: AnyDb, table: string): Promise<string[]> {
	const meta = (await db.introspection.getTables()).find((t) => t.name === table)!;
	const { rows } = await sql<{
		name: string;
		pk: number;
	}>`select name, pk from pragma_table_info(${table})`.execute(db);
	const pk = rows
		.filter((r) => r.pk > 0)
		.sort((a, b) => a.pk - b.pk)
		.map((r) => r.name);
	return pk.length ? pk : meta.columns.map((c) => c.name);
}

/**
 * Copies every row of `from` (SQLite) into `to`, which must hold no rows yet. Both are migrated
 * first, so their schemas are the same version.
 */
export async function copyDatabase(from: OpenDatabase, to: OpenDatabase): Promise<CopyReport> {
	if (from.dialect !== 'sqlite' || to.dialect !== 'postgres') {
		throw new Error('migrate-data copies a sqlite: database into a postgres:// one');
	}
	await migrateToLatest(from);
	await migrateToLatest(to);
	const source = from.db as AnyDb;
	const tables = await tablesInDependencyOrder(source);
	const target = to.db as AnyDb;
	for (const table of tables) {
		const any = await target
			.selectFrom(table)
			.select(sql`1`.as('x'))
			.limit(1)
			.execute();
		// sync_clock is made by its migration with the clock at 0; it is copied over.
		if (any.length && table !== 'sync_clock') {
			throw new Error(`the target database is not empty (table ${table} has rows)`);
		}
	}
	const report: CopyReport = { tables: [] };
	await target.transaction().execute(async (trx) => {
		for (const table of tables) {
			await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER USER`).execute(trx);
		}
		await trx.deleteFrom('sync_clock').execute();
		for (const table of tables) {
			const order = await orderColumns(source, table);
			let copied = 0;
			for (let offset = 0; ; offset += BATCH) {
				let query = source.selectFrom(table).selectAll();
				for (const column of order) query = query.orderBy(column);
				const rows = await query.limit(BATCH).offset(offset).execute();
				if (rows.length) await trx.insertInto(table).values(rows).execute();
				copied += rows.length;
				if (rows.length < BATCH) break;
			}
			report.tables.push({ name: table, rows: copied });
		}
		for (const table of tables) {
			await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER USER`).execute(trx);
		}
	});
	return report;
}

/**
 * `sealpass migrate-data --from sqlite:PATH --to postgres://…`: the source's server keys are
 * loaded (DATA_DIR's secrets file, checked against the source), the rows copied, and the audit
 * chain verified at the target with those keys, so the signed head is checked too.
 */
export async function migrateData(
	fromUrl: string,
	toUrl: string,
	env: Record<string, string | undefined>
): Promise<CopyReport & { target: string; audit: AuditVerifyResponse }> {
	const from = openDatabase(fromUrl);
	try {
		const to = openDatabase(toUrl);
		try {
			await migrateToLatest(from);
			await loadServerKeys(from.db, {
				file: loadConfig(env).secretsFile,
				env,
				clock: systemClock
			});
			const report = await copyDatabase(from, to);
			return { ...report, target: to.location, audit: await verifyAuditLog(to.db) };
		} finally {
			await to.close();
		}
	} finally {
		await from.close();
	}
}
