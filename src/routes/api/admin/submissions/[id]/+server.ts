import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { reviewDetail } from '$lib/server/review/review';

export async function GET({ locals, params }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const detail = await reviewDetail(getApp().database.db, auth.user.org_id, params.id);
	return detail ? json(detail) : apiError('NOT_FOUND', 'No such submission');
}
