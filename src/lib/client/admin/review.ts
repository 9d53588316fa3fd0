import { m } from '$lib/paraglide/messages';
import type {
	PreAuthRefusalsResponse,
	ReverifyCheck,
	ReverifyResult,
	ReviewDetail,
	ReviewFacetsResponse,
	ReviewListResponse
} from '$lib/domain/api-types';
import type { ReviewDecision, ReviewStatus } from '$lib/domain/review';
import { api } from '../api';
import type { RequestOf, ReviewDecisionSchema } from '$lib/domain/api-requests';

/** The list page's filters as they stand in its URL (dates as the admin picked them). */
export interface PageFilters {
	contract: string;
	signer: string;
	status: string;
	decision: string;
	mode: string;
	/** YYYY-MM-DD in the admin's own time zone. */
	from: string;
	to: string;
	cursor: string;
}

const KEYS = ['contract', 'signer', 'status', 'decision', 'mode', 'from', 'to', 'cursor'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filters from the page URL; anything missing is the empty "any". */
export function pageFilters(params: URLSearchParams): PageFilters {
	const filters = Object.fromEntries(
		KEYS.map((k) => [k, params.get(k) ?? ''])
	) as unknown as PageFilters;
	if (!DAY.test(filters.from)) filters.from = '';
	if (!DAY.test(filters.to)) filters.to = '';
	return filters;
}

/** Midnight at the start of a local calendar day, as the server's ISO instant. */
function localMidnight(day: string, addDays = 0): string {
	const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
	return new Date(y, mo - 1, d + addDays).toISOString();
}

/**
 * The API query for the page's filters. Dates are the admin's local days, so "until 3 March"
 * includes all of 3 March where the admin is, not only until midnight UTC.
 */
export function apiQuery(filters: PageFilters): URLSearchParams {
	const query = new URLSearchParams();
	for (const key of ['contract', 'signer', 'status', 'decision', 'mode', 'cursor'] as const) {
		if (filters[key]) query.set(key, filters[key]);
	}
	if (filters.from) query.set('from', localMidnight(filters.from));
	if (filters.to) query.set('to', localMidnight(filters.to, 1));
	return query;
}

/** The page URL of the next page: the same filters, and the cursor after the last row shown. */
export function nextPageHref(filters: PageFilters, cursor: string): string {
	const query = new URLSearchParams();
	for (const key of KEYS) if (key !== 'cursor' && filters[key]) query.set(key, filters[key]);
	query.set('cursor', cursor);
	return `/admin/submissions?${query}`;
}

/** One page of the review list. */
export function fetchReviewList(fetcher: typeof fetch, filters: PageFilters) {
	return api<ReviewListResponse>(fetcher, `/api/admin/submissions?${apiQuery(filters)}`);
}

/** The organisation's contracts and signers for the filter choices. */
export function fetchReviewFacets(fetcher: typeof fetch) {
	return api<ReviewFacetsResponse>(fetcher, '/api/admin/submissions/facets');
}

/** Today's submissions refused before their passkey check, counted per signer and code. */
export function fetchPreAuthRefusals(fetcher: typeof fetch) {
	return api<PreAuthRefusalsResponse>(fetcher, '/api/admin/submissions/refusals');
}

/** One submission's detail. */
export function fetchReviewDetail(fetcher: typeof fetch, id: string) {
	return api<ReviewDetail>(fetcher, `/api/admin/submissions/${encodeURIComponent(id)}`);
}

/** Asks the server to verify the stored evidence again from scratch (read-only there). */
export function reverify(fetcher: typeof fetch, id: string) {
	return api<ReverifyResult>(fetcher, `/api/admin/submissions/${encodeURIComponent(id)}/verify`, {
		method: 'POST'
	});
}

/** Records the admin's accept or flag with a comment. */
export function decide(
	fetcher: typeof fetch,
	id: string,
	decision: ReviewDecision,
	comment: string
) {
	return api<{ status: ReviewStatus; at: string }>(
		fetcher,
		`/api/admin/submissions/${encodeURIComponent(id)}/review`,
		{ method: 'POST', json: { decision, comment } satisfies RequestOf<typeof ReviewDecisionSchema> }
	);
}

/** The status names, in the admin's language. */
export const statusLabel: Record<ReviewStatus, () => string> = {
	accepted: m.review_status_accepted,
	refused: m.review_status_refused,
	flagged: m.review_status_flagged,
	'reviewed-ok': m.review_status_reviewed_ok
};

/** The names of the re-verification steps, in the admin's language. */
export const checkLabel: Record<ReverifyCheck['check'], () => string> = {
	manifest: m.review_check_manifest,
	canonical: m.review_check_canonical,
	hash: m.review_check_hash,
	binding: m.review_check_binding,
	signature: m.review_check_signature,
	'user-verified': m.review_check_user_verified,
	seals: m.review_check_seals
};
