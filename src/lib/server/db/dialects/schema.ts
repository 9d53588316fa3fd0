import { PostgresAdapter, SqliteAdapter, sql, type Kysely } from 'kysely';

/*
 * What a migration cannot say with Kysely's schema builder alone: a few column types that the two
 * engines spell differently, and triggers (SQLite's SQL body against PostgreSQL's plpgsql
 * functions). Migrations call these with their own Kysely; the engine is read from its adapter,
 * so one migration file serves both. Anything portable stays in the migration itself.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema type
type AnyDb = Kysely<any>;

export type Engine = 'sqlite' | 'postgres';

/** The engine a migration runs on; any other adapter is refused rather than guessed at. */
export function engineOf(db: AnyDb): Engine {
	const adapter = db.getExecutor().adapter;
	if (adapter instanceof SqliteAdapter) return 'sqlite';
	if (adapter instanceof PostgresAdapter) return 'postgres';
	throw new Error(`unsupported database adapter ${adapter.constructor.name}`);
}

/**
 * Column types spelled per engine. SQLite's are the ones its migrations always used (so its
 * schema is unchanged); PostgreSQL has no `blob`, and its `real` is 4 bytes (a seal of 38.1 mm
 * would read back as 38.09999847), and its `integer` is 4 bytes where a WebAuthn counter is
 * an unsigned 32-bit value.
 */
const TYPES = {
	binary: { sqlite: 'blob', postgres: 'bytea' },
	float: { sqlite: 'real', postgres: 'double precision' },
	int64: { sqlite: 'integer', postgres: 'bigint' }
} as const;

export function columnType(db: AnyDb, kind: keyof typeof TYPES) {
	return sql.raw(TYPES[kind][engineOf(db)]);
}

/** One function for every append-only guard on PostgreSQL; it names the table and operation. */
const PG_REFUSE = 'sealpass_refuse_change';

/**
 * Refuses UPDATE and DELETE on each table (and on PostgreSQL TRUNCATE too, which row triggers do
 * not see). The trigger names are `<table>_no_update`, `<table>_no_delete`, `<table>_no_truncate`.
 * A role that owns the tables can still drop a trigger: on PostgreSQL the app's role should not
 * own them (docs/database.md), and the audit chain's hashes catch what a trigger cannot.
 */
export async function createAppendOnlyGuards(db: AnyDb, tables: readonly string[]): Promise<void> {
	if (engineOf(db) === 'sqlite') {
		for (const table of tables) {
			for (const action of ['UPDATE', 'DELETE'] as const) {
				await sql
					.raw(
						`CREATE TRIGGER ${table}_no_${action.toLowerCase()} BEFORE ${action} ON ${table}
					 BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${action} refused'); END`
					)
					.execute(db);
			}
		}
		return;
	}
	await sql
		.raw(
			`CREATE OR REPLACE FUNCTION ${PG_REFUSE}() RETURNS trigger LANGUAGE plpgsql AS $$
			 BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$`
		)
		.execute(db);
	for (const table of tables) {
		for (const action of ['UPDATE', 'DELETE'] as const) {
			await sql
				.raw(
					`CREATE TRIGGER ${table}_no_${action.toLowerCase()} BEFORE ${action} ON ${table}
					 FOR EACH ROW EXECUTE FUNCTION ${PG_REFUSE}()`
				)
				.execute(db);
		}
		await sql
			.raw(
				`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
				 FOR EACH STATEMENT EXECUTE FUNCTION ${PG_REFUSE}()`
			)
			.execute(db);
	}
}

export async function dropAppendOnlyGuards(db: AnyDb, tables: readonly string[]): Promise<void> {
	const postgres = engineOf(db) === 'postgres';
	for (const table of tables) {
		for (const action of postgres ? ['update', 'delete', 'truncate'] : ['update', 'delete']) {
			const name = `${table}_no_${action}`;
			await sql.raw(`DROP TRIGGER IF EXISTS ${name}${postgres ? ` ON ${table}` : ''}`).execute(db);
		}
	}
	if (postgres) await sql.raw(`DROP FUNCTION IF EXISTS ${PG_REFUSE}()`).execute(db);
}

/**
 * Runs `backfill` with the UPDATE guard of an append-only table lifted, inside the caller's
 * transaction, so a failure can never leave the guard off. SQLite drops and re-creates the
 * trigger exactly as createAppendOnlyGuards wrote it; PostgreSQL disables and re-enables it.
 */
export async function withUpdateGuardLifted(
	db: AnyDb,
	table: string,
	backfill: () => Promise<void>
): Promise<void> {
	if (!db.isTransaction) throw new Error(`lifting ${table}'s guard needs a transaction`);
	const name = `${table}_no_update`;
	if (engineOf(db) === 'sqlite') {
		await sql.raw(`DROP TRIGGER ${name}`).execute(db);
		await backfill();
		await sql
			.raw(
				`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table}
					 BEGIN SELECT RAISE(ABORT, '${table} is append-only: UPDATE refused'); END`
			)
			.execute(db);
		return;
	}
	await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${name}`).execute(db);
	await backfill();
	await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${name}`).execute(db);
}

/**
 * The audit chain's BEFORE INSERT check: a row must be the next link (seq = last + 1, prev_hash =
 * the last row's hash, or `genesis` for the first row), so even a buggy or racing writer cannot
 * fork the chain. On PostgreSQL two racing transactions could both pass it under READ COMMITTED;
 * the unique keys on seq and prev_hash refuse the second, and the writer lock
 * (./postgres.ts) keeps it from happening at all.
 */
export async function createChainHeadCheck(db: AnyDb, genesis: string): Promise<void> {
	const message = 'audit_log: a row must extend the head of the chain';
	if (engineOf(db) === 'sqlite') {
		await sql
			.raw(
				`CREATE TRIGGER audit_log_append_at_head BEFORE INSERT ON audit_log
			 WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
			   OR NEW.prev_hash IS NOT coalesce(
			        (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${genesis}')
			 BEGIN SELECT RAISE(ABORT, '${message}'); END`
			)
			.execute(db);
		return;
	}
	await sql
		.raw(
			`CREATE FUNCTION audit_log_append_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
			 DECLARE head_seq bigint; head_hash text;
			 BEGIN
			   SELECT seq, hash INTO head_seq, head_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
			   IF NEW.seq IS DISTINCT FROM coalesce(head_seq, 0) + 1
			      OR NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, '${genesis}') THEN
			     RAISE EXCEPTION '${message}';
			   END IF;
			   RETURN NEW;
			 END $$`
		)
		.execute(db);
	await sql
		.raw(
			`CREATE TRIGGER audit_log_append_at_head BEFORE INSERT ON audit_log
			 FOR EACH ROW EXECUTE FUNCTION audit_log_append_at_head()`
		)
		.execute(db);
}

export async function dropChainHeadCheck(db: AnyDb): Promise<void> {
	if (engineOf(db) === 'sqlite') {
		await sql.raw('DROP TRIGGER IF EXISTS audit_log_append_at_head').execute(db);
		return;
	}
	await sql.raw('DROP TRIGGER IF EXISTS audit_log_append_at_head ON audit_log').execute(db);
	await sql.raw('DROP FUNCTION IF EXISTS audit_log_append_at_head()').execute(db);
}

/** An AFTER row trigger whose body is plain statements valid on both engines. */
export interface RowTrigger {
	name: string;
	/** e.g. `INSERT`, `DELETE`, `UPDATE OF title, status` */
	event: string;
	table: string;
	/** Statements separated by `;`; NEW and OLD mean the same on both engines. */
	body: string;
}

/**
 * SQLite takes the body inline; PostgreSQL needs it in a plpgsql function (one per trigger, named
 * like it). Both fire once per row, after the row's write, in the writer's transaction.
 */
export async function createRowTrigger(db: AnyDb, trigger: RowTrigger): Promise<void> {
	const { name, event, table, body } = trigger;
	if (engineOf(db) === 'sqlite') {
		await sql
			.raw(`CREATE TRIGGER ${name} AFTER ${event} ON ${table} FOR EACH ROW BEGIN ${body} END`)
			.execute(db);
		return;
	}
	await sql
		.raw(
			`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
			 BEGIN ${body} RETURN NULL; END $$`
		)
		.execute(db);
	await sql
		.raw(
			`CREATE TRIGGER ${name} AFTER ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`
		)
		.execute(db);
}

export async function dropRowTrigger(db: AnyDb, trigger: Pick<RowTrigger, 'name' | 'table'>) {
	if (engineOf(db) === 'sqlite') {
		await sql.raw(`DROP TRIGGER IF EXISTS ${trigger.name}`).execute(db);
		return;
	}
	await sql.raw(`DROP TRIGGER IF EXISTS ${trigger.name} ON ${trigger.table}`).execute(db);
	await sql.raw(`DROP FUNCTION IF EXISTS ${trigger.name}()`).execute(db);
}

/**
 * Numbers a table's rows 1, 2, 3… into `column`, in insertion order on SQLite (rowid, as the
 * migration always did) and in (`orderBy`…) order on PostgreSQL, which keeps no insertion order.
 */
export async function numberRows(
	db: AnyDb,
	table: string,
	column: string,
	orderBy: readonly string[]
): Promise<void> {
	if (engineOf(db) === 'sqlite') {
		await sql.raw(`UPDATE ${table} SET ${column} = rowid`).execute(db);
		return;
	}
	await sql
		.raw(
			`UPDATE ${table} SET ${column} = numbered.n FROM (
			   SELECT ctid AS row_id, row_number() OVER (ORDER BY ${orderBy.join(', ')}) AS n FROM ${table}
			 ) AS numbered WHERE ${table}.ctid = numbered.row_id`
		)
		.execute(db);
}
