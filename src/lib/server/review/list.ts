// The admin's review list: its filter, the keyset-paged query and the facet counts.

import * as v from 'valibot';
import { REVIEW_STATUSES } from '$lib/domain/review';
import type {
	ReviewFacetsResponse,
	ReviewListItem,
	ReviewListResponse
} from '$lib/domain/api-types';
import type { Db } from '../db/schema';
import {
	decodeCursor,
	encodeCursor,
	pagingEntries,
	parseListQuery,
	type Cursor
} from '../platform/keyset';

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

const isoInstant = v.pipe(v.string(), v.maxLength(40), v.isoTimestamp());

/** The list's query string, checked before any of it reaches SQL. */
export const ReviewFilterSchema = v.object({
	contract: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
	signer: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
	status: v.optional(v.picklist(REVIEW_STATUSES)),
	decision: v.optional(v.picklist(['signed', 'rejected'])),
	mode: v.optional(v.picklist(['offline', 'online'])),
	/** Received at or after this instant. */
	from: v.optional(isoInstant),
	/** Received before this instant. */
	to: v.optional(isoInstant),
	...pagingEntries(PAGE_SIZE_MAX)
});
export type ReviewFilter = v.InferOutput<typeof ReviewFilterSchema>;

/** Reads the filter from a URL's query string; null when any parameter is malformed. */
export function parseReviewFilter(params: URLSearchParams): ReviewFilter | null {
	return parseListQuery(ReviewFilterSchema, params);
}

/**
 * The list query for one page, newest first (received_at desc, id desc), scoped to the admin's
 * organisation. Every filter is an equality on an indexed column of review_items followed by
 * (received_at, id), so SQLite reads the page off an index instead of scanning (bench + test).
 * Exposed apart from `listReview` so tests can EXPLAIN exactly the query the endpoint runs.
 */
export function reviewListQuery(
	db: Db,
	orgId: string,
	filter: ReviewFilter,
	cursor: Cursor | null
) {
	let query = db
		.selectFrom('review_items as r')
		.leftJoin('users as u', 'u.id', 'r.user_id')
		.leftJoin('envelopes as e', 'e.id', 'r.envelope_id')
		.select([
			'r.id',
			'r.submission_id',
			'r.envelope_id',
			'r.user_id',
			'r.received_at',
			'r.status',
			'r.decision',
			'r.offline',
			'r.code',
			'u.display_name',
			'e.title'
		])
		.where('r.org_id', '=', orgId);
	if (filter.contract) query = query.where('r.envelope_id', '=', filter.contract);
	if (filter.signer) query = query.where('r.user_id', '=', filter.signer);
	if (filter.status) query = query.where('r.status', '=', filter.status);
	if (filter.decision) query = query.where('r.decision', '=', filter.decision);
	if (filter.mode) query = query.where('r.offline', '=', filter.mode === 'offline' ? 1 : 0);
	if (filter.from) query = query.where('r.received_at', '>=', filter.from);
	// A cursor inside the range is the tighter upper bound; giving SQLite both would let it pick
	// `to` for the index range and walk every row between `to` and the cursor.
	if (filter.to && !(cursor && cursor.receivedAt < filter.to)) {
		query = query.where('r.received_at', '<', filter.to);
	}
	if (cursor) {
		// A row-value comparison, not `a < x OR (a = x AND id < y)`: SQLite turns the tuple into a
		// range on the index, while the OR form walks the index from the newest row (docs/perf.md).
		query = query.where((eb) =>
			eb(eb.refTuple('r.received_at', 'r.id'), '<', eb.tuple(cursor.receivedAt, cursor.id))
		);
	}
	const limit = filter.limit ?? PAGE_SIZE_DEFAULT;
	// One row more than shown tells whether a next page exists without a COUNT over the table.
	return query
		.orderBy('r.received_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(limit + 1);
}

/**
 * One page of the review list (SPEC RV2). Null when the cursor is not one of ours, so the endpoint
 * answers BAD_REQUEST instead of silently starting over at the first page.
 */
export async function listReview(
	db: Db,
	orgId: string,
	filter: ReviewFilter
): Promise<ReviewListResponse | null> {
	const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
	if (filter.cursor && !cursor) return null;
	const limit = filter.limit ?? PAGE_SIZE_DEFAULT;
	const rows = await reviewListQuery(db, orgId, filter, cursor).execute();
	const shown = rows.slice(0, limit);
	const last = shown.at(-1);
	return {
		items: shown.map((r): ReviewListItem => ({
			id: r.id,
			submissionId: r.submission_id,
			envelopeId: r.envelope_id,
			contractTitle: r.title ?? null,
			userId: r.user_id,
			signerName: r.display_name ?? r.user_id,
			receivedAt: r.received_at,
			status: r.status,
			decision: r.decision,
			offline: r.offline === null ? null : r.offline === 1,
			code: r.code
		})),
		nextCursor:
			rows.length > limit && last
				? encodeCursor({ receivedAt: last.received_at, id: last.id })
				: null
	};
}

/** The choices for the list's contract and signer filters: small lists, one per organisation. */
export async function reviewFacets(db: Db, orgId: string): Promise<ReviewFacetsResponse> {
	const contracts = await db
		.selectFrom('envelopes')
		.select(['id', 'title'])
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.execute();
	const signers = await db
		.selectFrom('users')
		.select(['id', 'display_name as name'])
		.where('org_id', '=', orgId)
		.orderBy('display_name')
		.execute();
	return { contracts, signers };
}
