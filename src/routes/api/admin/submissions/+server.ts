import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { listReview, parseReviewFilter } from '$lib/server/review';

export async function GET({ locals, url }) {
	const user = requireAdmin(locals.user);
	const filter = parseReviewFilter(url.searchParams);
	if (!filter) return apiError('BAD_REQUEST', 'Unknown filter value');
	const page = await listReview(getApp().database.db, user.org_id, filter);
	if (!page) return apiError('BAD_REQUEST', 'Unknown cursor');
	return json(page);
}
