import type { Kysely, Transaction } from 'kysely';
import {
	nextAuditRow,
	verifyChain,
	type AuditEvent,
	type AuditRow,
	type ChainCheck
} from '$lib/domain/audit';
import type { AuditEntry, AuditPageResponse, AuditVerifyResponse } from '$lib/domain/api-types';
import type { Database } from './db/schema';
import type { Clock } from './clock';

/**
 * Appends one event to the hash-chained audit log (SPEC A2–A4) inside the caller's transaction,
 * so the event exists exactly when the write it records does: a rolled-back write leaves no
 * row, and a recorded write cannot lose its row.
 *
 * The head (last seq and hash) is read inside the same transaction. On SQLite that is safe:
 * one writer at a time, and our transactions begin IMMEDIATE (db/dialects/sqlite.ts), so no
 * other writer can append between the read and the insert; the BEFORE INSERT trigger of
 * migration 0007 refuses a row that does not extend the head anyway. PostgreSQL under READ
 * COMMITTED would let two transactions read the same head: it would need the head locked first
 * (e.g. `SELECT … FROM audit_log ORDER BY seq DESC LIMIT 1 FOR UPDATE` plus a lock for the empty
 * table, or `pg_advisory_xact_lock`), with the UNIQUE prev_hash as the last line of defence.
 */
export async function appendAudit(
	trx: Transaction<Database>,
	clock: Clock,
	actor: string | null,
	event: AuditEvent
): Promise<AuditRow> {
	const head = await trx
		.selectFrom('audit_log')
		.select(['seq', 'hash'])
		.orderBy('seq', 'desc')
		.limit(1)
		.executeTakeFirst();
	const row = await nextAuditRow(head ?? null, clock().toISOString(), actor, event);
	await trx
		.insertInto('audit_log')
		.values({
			seq: row.seq,
			at: row.at,
			kind: row.kind,
			actor: row.actor,
			subject: row.subject,
			data: row.data,
			prev_hash: row.prevHash,
			hash: row.hash
		})
		.execute();
	return row;
}

/**
 * Records an event that has no other write, e.g. a contract viewed or downloaded, in a
 * transaction of its own.
 */
export async function recordAudit(
	db: Kysely<Database>,
	clock: Clock,
	actor: string | null,
	event: AuditEvent
): Promise<void> {
	await db.transaction().execute((trx) => appendAudit(trx, clock, actor, event));
}

export const AUDIT_PAGE_MAX = 200;

/**
 * One page of the trail, newest first, for the admin page: rows below `cursor` (a seq), at most
 * `limit`, optionally only those about one subject. Keyset pagination on the primary key (and
 * the subject index), so a page costs the same at any depth.
 */
export async function listAudit(
	db: Kysely<Database>,
	query: { cursor: number | null; limit: number; subject: string | null }
): Promise<AuditPageResponse> {
	const limit = Math.min(Math.max(1, Math.floor(query.limit)), AUDIT_PAGE_MAX);
	let select = db
		.selectFrom('audit_log')
		.leftJoin('users', 'users.id', 'audit_log.actor')
		.select([
			'audit_log.seq',
			'audit_log.at',
			'audit_log.kind',
			'audit_log.actor',
			'audit_log.subject',
			'audit_log.data',
			'audit_log.hash',
			'users.display_name'
		])
		.orderBy('audit_log.seq', 'desc')
		.limit(limit + 1);
	if (query.cursor !== null) select = select.where('audit_log.seq', '<', query.cursor);
	if (query.subject !== null) select = select.where('audit_log.subject', '=', query.subject);
	const rows = await select.execute();
	const page = rows.slice(0, limit);
	const entries = page.map((r): AuditEntry => ({
		seq: r.seq,
		at: r.at,
		kind: r.kind,
		actor: r.actor,
		actorName: r.display_name,
		subject: r.subject,
		data: parseData(r.data),
		hash: r.hash
	}));
	return { entries, nextCursor: rows.length > limit ? page.at(-1)!.seq : null };
}

/** Stored data for display; a tampered, unreadable value is shown as such, not thrown. */
function parseData(text: string): Record<string, unknown> {
	try {
		const value: unknown = JSON.parse(text);
		return value && typeof value === 'object' ? (value as Record<string, unknown>) : { value };
	} catch {
		return { unreadable: text };
	}
}

const VERIFY_BATCH = 1000;

/**
 * Recomputes the whole chain from the first row (SPEC A5, A6) in batches, so memory stays flat
 * however long the log grows, and names the first broken row.
 */
export async function verifyAuditLog(db: Kysely<Database>): Promise<AuditVerifyResponse> {
	let head: ChainCheck['head'] = null;
	let checked = 0;
	let after = 0;
	for (;;) {
		const rows = await db
			.selectFrom('audit_log')
			.select(['seq', 'at', 'kind', 'actor', 'subject', 'data', 'prev_hash', 'hash'])
			.where('seq', '>', after)
			.orderBy('seq')
			.limit(VERIFY_BATCH)
			.execute();
		if (rows.length === 0) return { ok: true, checked, firstBroken: null };
		const result = await verifyChain(
			rows.map(({ prev_hash, ...r }) => ({ ...r, prevHash: prev_hash })),
			head
		);
		checked += result.checked;
		if (!result.ok) return { ok: false, checked, firstBroken: result.firstBroken };
		head = result.head;
		after = rows.at(-1)!.seq;
	}
}
