import { sql, type Compilable, type Kysely, type Transaction } from 'kysely';
import {
	auditAnchorText,
	GENESIS_HASH,
	nextAuditRow,
	verifyChain,
	type AuditEvent,
	type AuditRow,
	type BreakReason,
	type ChainCheck
} from '$lib/domain/audit';
import type {
	AuditAnchor,
	AuditEntry,
	AuditExport,
	AuditExportRow,
	AuditPageResponse,
	AuditVerifyResponse
} from '$lib/domain/api-types';
import type { Database } from '../db/schema';
import type { Clock } from '../platform/clock';
import { hmacHex, sameMac, serverKey, verificationKeys } from '../platform/secrets';
import { runTogether } from '../db/together';

/**
 * The organisation an event belongs to (SPEC A9): the actor's, else the subject's (invite, user,
 * envelope, submission, seal: ids are UUIDs, so they cannot collide across tables), else the
 * only organisation when there is one. Null is a platform event (e.g. a wrong invite token on a
 * server with several organisations). Migration 0013 filed older rows by the same rule.
 */
function eventOrg(actor: string | null, subject: string | null) {
	// An expression the insert evaluates, not a query of its own: one round trip fewer per event.
	return sql<string | null>`(select coalesce(
			(select org_id from users where id = ${actor}),
			(select org_id from invites where id = ${subject}),
			(select org_id from users where id = ${subject}),
			(select org_id from envelopes where id = ${subject}),
			(select e.org_id from submissions s join envelopes e on e.id = s.envelope_id
			   where s.id = ${subject}),
			(select org_id from seals where id = ${subject}),
			(select id from organisations where (select count(*) from organisations) = 1)
		))`;
}

/** Signs a head with the audit key and stores it as the one anchor row (SPEC A10). */
function writeAnchor(trx: Kysely<Database>, head: { seq: number; hash: string }, at: string) {
	const mac = hmacHex(serverKey('audit_anchor_key'), auditAnchorText(head.seq, head.hash));
	const values = { seq: head.seq, hash: head.hash, mac, at };
	return trx
		.insertInto('audit_anchor')
		.values({ id: 1, ...values })
		.onConflict((oc) => oc.column('id').doUpdateSet(values));
}

/**
 * Appends one event to the hash-chained audit log (SPEC A2–A4) inside the caller's transaction,
 * so the event exists exactly when the write it records does: a rolled-back write leaves no
 * row, and a recorded write cannot lose its row.
 *
 * The head (last seq and hash) is read inside the same transaction, and no other writer can
 * append between that read and the insert: on SQLite our transactions begin IMMEDIATE
 * (db/dialects/sqlite.ts); on PostgreSQL, whose READ COMMITTED would let two transactions read
 * the same head and fork the chain, every transaction first takes the writer's
 * pg_advisory_xact_lock (db/dialects/postgres.ts), held to commit, also across servers. The BEFORE
 * INSERT trigger of migration 0007 and the unique seq and prev_hash refuse a row that does not
 * extend the head anyway. `trx` must be a transaction (not a bare connection) for that lock.
 * `orgId` files the row under an organisation the writer names, for the platform operator's acts
 * on an organisation other than their own (A9's actor rule would file them under the operator's).
 * `alongside`: the caller's writes of the same transaction, sent with the head read (runTogether,
 * one round trip on PostgreSQL) and run before it; none may append to this log, or the head read
 * would miss it (the trigger and unique keys would then refuse the row, failing the transaction).
 */
export async function appendAudit(
	trx: Transaction<Database>,
	clock: Clock,
	actor: string | null,
	event: AuditEvent,
	orgId?: string,
	alongside: readonly Compilable<unknown>[] = []
): Promise<AuditRow> {
	const answers = await runTogether(trx, [...alongside, chainHead(trx)]);
	const head = answers.at(-1)!.rows[0] as { seq: number; hash: string } | undefined;
	const row = await nextAuditRow(head ?? null, clock().toISOString(), actor, event);
	// The new head is signed in the same transaction, so the stored anchor is always the head;
	// the row and the anchor go together (one round trip on PostgreSQL), the row first.
	await runTogether(trx, [
		trx.insertInto('audit_log').values({
			seq: row.seq,
			at: row.at,
			kind: row.kind,
			actor: row.actor,
			subject: row.subject,
			data: row.data,
			prev_hash: row.prevHash,
			hash: row.hash,
			org_id: orgId ?? eventOrg(actor, event.subject)
		}),
		writeAnchor(trx, row, row.at)
	]);
	return row;
}

/** The query of the newest link of the chain (no row for an empty log). */
function chainHead(trx: Transaction<Database>) {
	return trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1);
}

/**
 * Signs the head as it stands when no anchor exists yet: on the first start of a server with
 * this anchor (an empty log is anchored at seq 0), and on a log from before it. After that only
 * appendAudit moves the anchor, so a missing anchor is itself evidence (SPEC A10).
 */
export async function anchorAuditHead(db: Kysely<Database>, clock: Clock): Promise<void> {
	await db.transaction().execute(async (trx) => {
		if (await trx.selectFrom('audit_anchor').select('id').executeTakeFirst()) return;
		const head = await chainHead(trx).executeTakeFirst();
		await writeAnchor(trx, head ?? { seq: 0, hash: GENESIS_HASH }, clock().toISOString()).execute();
	});
}

/** The stored signed head, as stored (it is checked by verifyAuditLog, not here). */
export async function auditAnchor(db: Kysely<Database>): Promise<AuditAnchor | null> {
	const row = await db
		.selectFrom('audit_anchor')
		.select(['seq', 'hash', 'mac', 'at'])
		.where('id', '=', 1)
		.executeTakeFirst();
	return row ?? null;
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
	orgId: string,
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
		.where('audit_log.org_id', '=', orgId)
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
	return {
		entries,
		nextCursor: rows.length > limit ? page.at(-1)!.seq : null,
		head: await auditAnchor(db)
	};
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
 * however long the log grows, and names the first broken row; then checks that the rows end
 * exactly at the signed head (A10), which the rows alone cannot show.
 */
export async function verifyAuditLog(db: Kysely<Database>): Promise<AuditVerifyResponse> {
	let anchor: AuditAnchor | null = null;
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
		if (rows.length === 0) {
			// Read after the rows: a row and its anchor are written together, so an anchor beyond
			// the rows read means either appends landed meanwhile (read on) or rows were cut.
			anchor = await auditAnchor(db);
			const more = anchor && anchor.seq > after;
			if (
				more &&
				(await db
					.selectFrom('audit_log')
					.select('seq')
					.where('seq', '=', after + 1)
					.executeTakeFirst())
			) {
				continue;
			}
			break;
		}
		const result = await verifyChain(
			rows.map(({ prev_hash, ...r }) => ({ ...r, prevHash: prev_hash })),
			head
		);
		checked += result.checked;
		if (!result.ok) {
			return { ok: false, checked, firstBroken: result.firstBroken, anchor: await auditAnchor(db) };
		}
		head = result.head;
		after = rows.at(-1)!.seq;
	}
	const broken = (seq: number, reason: BreakReason): AuditVerifyResponse => ({
		ok: false,
		checked,
		firstBroken: { seq, reason },
		anchor
	});
	const last = head ?? { seq: 0, hash: GENESIS_HASH };
	const signedHead = anchor;
	if (!signedHead) return broken(last.seq + 1, 'anchor-missing');
	const text = auditAnchorText(signedHead.seq, signedHead.hash);
	if (
		!verificationKeys('audit_anchor_key').some((key) => sameMac(hmacHex(key, text), signedHead.mac))
	) {
		return broken(signedHead.seq, 'anchor-invalid');
	}
	if (signedHead.seq > last.seq) return broken(last.seq + 1, 'tail-cut');
	const signed =
		signedHead.seq === 0
			? { hash: GENESIS_HASH }
			: await db
					.selectFrom('audit_log')
					.select('hash')
					.where('seq', '=', signedHead.seq)
					.executeTakeFirst();
	if (signed?.hash !== signedHead.hash) return broken(signedHead.seq, 'tail-cut');
	if (signedHead.seq < last.seq) return broken(signedHead.seq + 1, 'after-anchor');
	return { ok: true, checked, firstBroken: null, anchor };
}

/**
 * The audit export of one organisation (SPEC A11): every row in seq order, its own in full and
 * the others as links only, with the signed head. Read in one transaction so the rows and the
 * head belong together.
 */
export async function exportAudit(
	db: Kysely<Database>,
	clock: Clock,
	orgId: string
): Promise<AuditExport> {
	return db.transaction().execute(async (trx) => {
		const rows = await trx
			.selectFrom('audit_log')
			.select(['seq', 'at', 'kind', 'actor', 'subject', 'data', 'prev_hash', 'hash', 'org_id'])
			.orderBy('seq')
			.execute();
		return {
			format: 'sealpass-audit-export/1' as const,
			exportedAt: clock().toISOString(),
			orgId,
			head: await auditAnchor(trx),
			rows: rows.map(({ prev_hash, org_id, ...r }): AuditExportRow =>
				org_id === orgId
					? { ...r, prevHash: prev_hash }
					: { seq: r.seq, prevHash: prev_hash, hash: r.hash, redacted: true }
			)
		};
	});
}
