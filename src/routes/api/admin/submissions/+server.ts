import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { listReview, parseReviewFilter } from '$lib/server/review/review';

export async function GET({ locals, url }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const filter = parseReviewFilter(url.searchParams);
	if (!filter) return apiError('BAD_REQUEST', 'Unknown filter value');
	const page = await listReview(getApp().database.db, auth.user.org_id, filter);
	if (!page) return apiError('BAD_REQUEST', 'Unknown cursor');
	return json(page);
}
