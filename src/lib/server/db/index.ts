import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema';
import { openSqlite, DatabaseOpenError, withSqliteFileLock } from './dialects/sqlite';
import { openPostgres, postgresLocation, withPostgresLock } from './dialects/postgres';

export { DatabaseOpenError };
export type { Database };

/**
 * Migrations are bundled with the server build (a glob import, not a folder read at run time),
 * so the built server needs no source tree beside it. File names sort in the order they run.
 */
const migrationModules = import.meta.glob<Migration>('./migrations/*.ts', { eager: true });

const bundledMigrations: MigrationProvider = {
	async getMigrations() {
		const entries = Object.entries(migrationModules)
			.map(([file, mod]) => [file.replace(/^.*\/(.+)\.ts$/, '$1'), mod] as const)
			.sort(([a], [b]) => a.localeCompare(b));
		return Object.fromEntries(entries);
	}
};

export interface OpenDatabase {
	db: Kysely<Database>;
	dialect: 'sqlite' | 'postgres';
	/** Human-readable location, for messages and the health report (never a password). */
	location: string;
	/** The URL it was opened with (for the start-up lock; may hold a password). */
	url: string;
	close: () => Promise<void>;
}

/**
 * Opens the database named by a URL. `sqlite:/path/file.db` is the embedded default;
 * `postgres://` (or `postgresql://`) opens a connection pool on PostgreSQL. Any other scheme is
 * refused by name so a mistyped DATABASE_URL cannot fall back to an empty SQLite file. No message
 * or location ever carries the URL's password.
 */
export function openDatabase(url: string): OpenDatabase {
	if (url.startsWith('sqlite:')) {
		const path = url.slice('sqlite:'.length);
		const { dialect } = openSqlite(path);
		const db = new Kysely<Database>({ dialect });
		return { db, dialect: 'sqlite', location: path, url, close: () => db.destroy() };
	}
	if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
		const location = postgresLocation(url);
		let dialect;
		try {
			dialect = openPostgres(url);
		} catch (cause) {
			const reason = cause instanceof Error ? cause.message : String(cause);
			throw new DatabaseOpenError(location, reason.replaceAll(url, location), { cause });
		}
		const db = new Kysely<Database>({ dialect });
		return { db, dialect: 'postgres', location, url, close: () => db.destroy() };
	}
	const scheme = url.split(':')[0];
	throw new DatabaseOpenError(
		url.replace(/\/\/[^@]*@/, '//***@'),
		`unsupported database scheme "${scheme}:"`
	);
}

/**
 * Runs `fn` while no other process using the database at `url` runs its own: start-up (migrating,
 * seeding, first keys) of several app servers on one database happens one server at a time.
 * Nested calls in the same call chain do not wait for themselves.
 */
export function withStartupLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
	if (url.startsWith('sqlite:')) return withSqliteFileLock(url.slice('sqlite:'.length), fn);
	if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
		return withPostgresLock(url, fn);
	}
	// openDatabase refuses every other scheme.
	return fn();
}

/**
 * The migrator of this database. On PostgreSQL Kysely looks for its bookkeeping tables in every
 * schema unless told one, so a database holding another SealPass schema (or a test world's)
 * would be taken as already set up; it is pinned to the schema the connection writes to.
 */
async function migratorFor(open: OpenDatabase): Promise<Migrator> {
	let migrationTableSchema: string | undefined;
	if (open.dialect === 'postgres') {
		const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
			open.db
		);
		migrationTableSchema = rows[0]?.schema;
	}
	return new Migrator({ db: open.db, provider: bundledMigrations, migrationTableSchema });
}

/** Raised when a migration fails; names the migration and the database so the operator can act. */
export class MigrationError extends Error {
	constructor(location: string, migration: string | undefined, cause: unknown) {
		const reason = cause instanceof Error ? cause.message : String(cause);
		super(
			`Cannot migrate the database at ${location}${migration ? ` (migration ${migration})` : ''}: ${reason}`,
			{ cause }
		);
		this.name = 'MigrationError';
	}
}

/**
 * Runs every pending migration; throws MigrationError naming the one that failed. Kysely does not
 * wrap SQLite migrations in a transaction, so a migration that could fail half-way (a backfill)
 * opens its own, as 0010 does; otherwise its partial work would stay and block the next start.
 */
export async function migrateToLatest(open: OpenDatabase): Promise<string[]> {
	const migrator = await migratorFor(open);
	// Kysely's own migration lock does nothing on SQLite: two processes would both run a pending
	// migration, and the second fail half-way ("table already exists").
	const { error, results } = await withStartupLock(open.url, () => migrator.migrateToLatest());
	if (error) {
		const failed = results?.find((r) => r.status === 'Error')?.migrationName;
		throw new MigrationError(open.location, failed, error);
	}
	return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Raised at start-up with MIGRATE=0 when the schema is behind this release. */
export class SchemaBehindError extends Error {
	constructor(location: string, pending: string[]) {
		super(
			`The database at ${location} lacks ${pending.length} migration(s) this release needs ` +
				`(${pending.join(', ')}). Run \`sealpass migrate\` with the schema owner's DATABASE_URL ` +
				`(docs/deploy.md, "Upgrading"), then start again; or start with MIGRATE=1 as the owner.`
		);
		this.name = 'SchemaBehindError';
	}
}

/** The bundled migrations this database has not run yet, in the order they would run. */
export async function pendingMigrations(open: OpenDatabase): Promise<string[]> {
	const migrations = await (await migratorFor(open)).getMigrations();
	return migrations.filter((m) => !m.executedAt).map((m) => m.name);
}

/**
 * Start-up's step for the schema: migrate (the default), or, with `migrate` false (MIGRATE=0,
 * an app role that cannot change the schema), only read where it stands and refuse to serve a
 * schema older than the code, which would fail request by request instead of once, here.
 */
export async function prepareSchema(open: OpenDatabase, migrate: boolean): Promise<void> {
	if (migrate) {
		await migrateToLatest(open);
		return;
	}
	const pending = await pendingMigrations(open);
	if (pending.length > 0) throw new SchemaBehindError(open.location, pending);
}

/** The name of the newest applied migration, for the health report. */
export async function currentMigration(open: OpenDatabase): Promise<string | null> {
	const migrations = await (await migratorFor(open)).getMigrations();
	const applied = migrations.filter((m) => m.executedAt);
	return applied.at(-1)?.name ?? null;
}

/** Every bundled migration's name, in the order they run. */
export async function migrationNames(): Promise<string[]> {
	return Object.keys(await bundledMigrations.getMigrations());
}

/**
 * Takes the database, up or down, to how it stood before the migration whose name starts with
 * `prefix`: every earlier migration applied, none from it on. For tests of a migration's
 * backfill, which must start from the schema and rows the previous version left.
 */
export async function migrateToBefore(open: OpenDatabase, prefix: string): Promise<void> {
	const names = await migrationNames();
	const target = names.filter((name) => name < prefix).at(-1);
	if (!target) throw new Error(`no migration before ${prefix}`);
	const migrator = await migratorFor(open);
	const { error } = await migrator.migrateTo(target);
	if (error) throw new MigrationError(open.location, target, error);
}

/**
 * `sealpass migrate`: brings the database at `url` to the latest schema with the owner's
 * connection, so the app's own role never needs to alter tables, and says where it stands.
 */
export async function migrateUrl(
	url: string
): Promise<{ database: string; applied: string[]; migration: string | null }> {
	const database = openDatabase(url);
	try {
		const applied = await migrateToLatest(database);
		return { database: database.location, applied, migration: await currentMigration(database) };
	} finally {
		await database.close();
	}
}
