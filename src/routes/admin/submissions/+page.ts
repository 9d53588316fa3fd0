import { api, ApiError } from '$lib/client/api';
import {
	fetchPreAuthRefusals,
	fetchReviewFacets,
	fetchReviewList,
	pageFilters
} from '$lib/client/admin/review';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch, url }) {
	const filters = pageFilters(url.searchParams);
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const, filters };
		// An inverted range would just list nothing; say why instead.
		const rangeInvalid = filters.from !== '' && filters.to !== '' && filters.to < filters.from;
		const [facets, refusals, page] = await Promise.all([
			fetchReviewFacets(fetch),
			fetchPreAuthRefusals(fetch),
			rangeInvalid
				? Promise.resolve({ items: [], nextCursor: null })
				: fetchReviewList(fetch, filters)
		]);
		return { state: 'ready' as const, filters, facets, refusals, page, rangeInvalid };
	} catch (error) {
		return {
			state: 'error' as const,
			filters,
			error: error instanceof ApiError ? error : null
		};
	}
}
