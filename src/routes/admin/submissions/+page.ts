import { adminPage } from '$lib/client/admin/page-load';
import {
	fetchPreAuthRefusals,
	fetchReviewFacets,
	fetchReviewList,
	pageFilters
} from '$lib/client/admin/review';

export function load({ fetch, url, parent }) {
	const filters = pageFilters(url.searchParams);
	return adminPage(parent, { filters }, async () => {
		// An inverted range would just list nothing; say why instead.
		const rangeInvalid = filters.from !== '' && filters.to !== '' && filters.to < filters.from;
		const [facets, refusals, page] = await Promise.all([
			fetchReviewFacets(fetch),
			fetchPreAuthRefusals(fetch),
			rangeInvalid
				? Promise.resolve({ items: [], nextCursor: null })
				: fetchReviewList(fetch, filters)
		]);
		return { facets, refusals, page, rangeInvalid };
	});
}
