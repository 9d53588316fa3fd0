import * as v from 'valibot';
import { manifestSealUses, type Manifest, type SealMark } from '$lib/domain/manifest';
import type { SealUseItem, SealUsesResponse } from '$lib/domain/api-types';
import type { Db } from '../db/schema';
import { decodeCursor, encodeCursor, pagingEntries, parseListQuery } from '../platform/keyset';

export const USES_PAGE_DEFAULT = 20;
export const USES_PAGE_MAX = 100;

/**
 * The writes filing the seals a newly stored submission stamps with (SA7), for ingest's
 * transaction, so the seal list and history never miss or invent a use; unsent, so ingest sends
 * them with its other writes (runTogether). Made once per stored submission: an
 * idempotent retry is answered from the stored key and never reaches here, and a refusal stores
 * no submission. A rejection (退回) stamps nothing, so it writes nothing.
 */
export function sealUseWrites(
	trx: Db,
	submission: { id: string; envelopeId: string; receivedAt: string; manifest: Manifest }
) {
	const uses = manifestSealUses(submission.manifest);
	if (uses.length === 0) return [];
	return [
		trx.insertInto('seal_uses').values(
			uses.map((use) => ({
				submission_id: submission.id,
				seal_id: use.sealId,
				envelope_id: submission.envelopeId,
				received_at: submission.receivedAt,
				marks: JSON.stringify(use.marks)
			}))
		)
	];
}

/**
 * How many stored submissions stamp with each seal of the organisation (SA7): one GROUP BY over
 * the seal index, whatever each submission's review status. Seals never used are absent.
 */
export async function sealUsageCounts(db: Db, orgId: string): Promise<Map<string, number>> {
	const rows = await db
		.selectFrom('seal_uses as su')
		.innerJoin('seals as s', 's.id', 'su.seal_id')
		.select((eb) => ['su.seal_id', eb.fn.countAll().as('uses')])
		.where('s.org_id', '=', orgId)
		.groupBy('su.seal_id')
		.execute();
	return new Map(rows.map((r) => [r.seal_id, Number(r.uses)]));
}

/** The history's query string, checked before any of it reaches SQL. */
export const SealUsesQuerySchema = v.object({
	...pagingEntries(USES_PAGE_MAX)
});
export type SealUsesQuery = v.InferOutput<typeof SealUsesQuerySchema>;

/** Reads the history's paging from a URL's query string; null when malformed. */
export function parseSealUsesQuery(params: URLSearchParams): SealUsesQuery | null {
	return parseListQuery(SealUsesQuerySchema, params);
}

/**
 * The history query for one page of one seal, newest receipt first, ties by submission id. The
 * keyset (a row-value comparison, as in the review list) ranges over the seal_uses_seal index, so
 * a page costs the same at the first use as at the 100 000th. Exposed so tests can EXPLAIN it.
 */
export function sealUsesQuery(
	db: Db,
	sealId: string,
	cursor: { receivedAt: string; id: string } | null,
	limit: number
) {
	let query = db
		.selectFrom('seal_uses as su')
		.innerJoin('submissions as s', 's.id', 'su.submission_id')
		.innerJoin('envelopes as e', 'e.id', 'su.envelope_id')
		.innerJoin('users as u', 'u.id', 's.user_id')
		.leftJoin('review_items as r', 'r.id', 'su.submission_id')
		.select([
			'su.submission_id',
			'su.received_at',
			'su.marks',
			's.device_time',
			'e.id as envelope_id',
			'e.title',
			'u.display_name',
			'r.status'
		])
		.where('su.seal_id', '=', sealId);
	if (cursor) {
		query = query.where((eb) =>
			eb(
				eb.refTuple('su.received_at', 'su.submission_id'),
				'<',
				eb.tuple(cursor.receivedAt, cursor.id)
			)
		);
	}
	// One row more than shown tells whether a next page exists without counting.
	return query
		.orderBy('su.received_at', 'desc')
		.orderBy('su.submission_id', 'desc')
		.limit(limit + 1);
}

/**
 * One page of a seal's usage history (SA8). `not-found` when the seal is not the organisation's,
 * so another organisation's seal ids read as unknown; `bad-cursor` when the cursor is not one we
 * made, so the endpoint refuses it instead of silently starting again at the newest use.
 */
export async function listSealUses(
	db: Db,
	orgId: string,
	sealId: string,
	query: SealUsesQuery
): Promise<SealUsesResponse | 'not-found' | 'bad-cursor'> {
	const seal = await db
		.selectFrom('seals')
		.select('id')
		.where('id', '=', sealId)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	if (!seal) return 'not-found';
	const cursor = query.cursor ? decodeCursor(query.cursor) : null;
	if (query.cursor && !cursor) return 'bad-cursor';
	const limit = query.limit ?? USES_PAGE_DEFAULT;
	const rows = await sealUsesQuery(db, sealId, cursor, limit).execute();
	const shown = rows.slice(0, limit);
	const last = shown.at(-1);
	return {
		uses: shown.map((r): SealUseItem => ({
			submissionId: r.submission_id,
			contract: { id: r.envelope_id, title: r.title },
			signerName: r.display_name,
			marks: JSON.parse(r.marks) as SealMark[],
			deviceTime: r.device_time,
			receivedAt: r.received_at,
			// Every stored submission has a review item (ingest, 0008 backfill); a missing one
			// would be a submission nobody has reviewed yet.
			status: r.status ?? 'accepted'
		})),
		nextCursor:
			rows.length > limit && last
				? encodeCursor({ receivedAt: last.received_at, id: last.submission_id })
				: null
	};
}
