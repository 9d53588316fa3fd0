import { adminPage } from '$lib/client/admin/page-load';
import { fetchReviewDetail } from '$lib/client/admin/review';

export const load = ({ fetch, params, parent }) =>
	adminPage(parent, {}, async () => ({ detail: await fetchReviewDetail(fetch, params.id) }));
