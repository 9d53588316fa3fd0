import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/lib/server/db/schema';

/**
 * Reads a SealPass data folder's database and blob store directly (its own read-only
 * connection, as an operator would after a crash) and lists every way they disagree: SQLite's
 * own integrity check, a blob row without its file, a submission without its spent ticket or a
 * spent ticket without its submission, leftover temporary files. Empty means consistent.
 */
export async function inconsistencies(dbPath: string, blobDir: string): Promise<string[]> {
	const problems: string[] = [];
	const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true });
	try {
		const integrity = db.pragma('integrity_check', { simple: true });
		if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
		const fk = db.pragma('foreign_key_check') as unknown[];
		if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} rows`);
		for (const { sha256 } of db.prepare('SELECT sha256 FROM blobs').all() as { sha256: string }[]) {
			// The fixture's document rows name a stand-in hash whose bytes the tests never store.
			if (/^(.)\1{63}$/.test(sha256)) continue;
			if (!existsSync(join(blobDir, sha256.slice(0, 2), sha256)))
				problems.push(`blob row ${sha256} has no file`);
		}
		const unspent = db
			.prepare(
				`SELECT s.id FROM submissions s LEFT JOIN tickets t ON t.id = s.ticket_id
				 WHERE t.used_by_submission IS NOT s.id`
			)
			.all();
		if (unspent.length) problems.push(`${unspent.length} submissions without their spent ticket`);
		const orphanTickets = db
			.prepare(
				`SELECT t.id FROM tickets t LEFT JOIN submissions s ON s.id = t.used_by_submission
				 WHERE t.used_at IS NOT NULL AND s.id IS NULL`
			)
			.all();
		if (orphanTickets.length)
			problems.push(`${orphanTickets.length} spent tickets without submission`);
		const dupes = db
			.prepare(`SELECT ticket_id FROM submissions GROUP BY ticket_id HAVING count(*) > 1`)
			.all();
		if (dupes.length) problems.push(`${dupes.length} tickets used by several submissions`);
	} finally {
		db.close();
	}
	if (existsSync(blobDir)) {
		const temps = (await readdir(blobDir)).filter((name) => name.startsWith('.tmp-'));
		if (temps.length) problems.push(`temporary files left: ${temps.join(', ')}`);
	}
	return problems;
}

/**
 * The ticket bookkeeping checks of `inconsistencies`, for a PostgreSQL database (that one
 * reads a SQLite data folder the way an operator would after a crash): every
 * submission spent its own ticket, every spent ticket has its submission, no ticket twice.
 */
export async function postgresInconsistencies(db: Kysely<Database>): Promise<string[]> {
	const problems: string[] = [];
	const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
		Number((await query.execute(db)).rows[0]?.n ?? 0);
	const unspent = await count(sql<{ n: string }>`
		select count(*) as n from submissions s left join tickets t on t.id = s.ticket_id
		where t.used_by_submission is distinct from s.id`);
	if (unspent) problems.push(`${unspent} submissions without their spent ticket`);
	const orphans = await count(sql<{ n: string }>`
		select count(*) as n from tickets t left join submissions s on s.id = t.used_by_submission
		where t.used_at is not null and s.id is null`);
	if (orphans) problems.push(`${orphans} spent tickets without submission`);
	const dupes = await count(sql<{ n: string }>`
		select count(*) as n from (select ticket_id from submissions group by ticket_id
		having count(*) > 1) d`);
	if (dupes) problems.push(`${dupes} tickets used by several submissions`);
	return problems;
}
