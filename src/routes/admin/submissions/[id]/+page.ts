import { adminPage, fetchReviewDetail } from '$lib/client/admin';

export const load = ({ fetch, params, parent }) =>
	adminPage(parent, {}, async () => ({ detail: await fetchReviewDetail(fetch, params.id) }));
