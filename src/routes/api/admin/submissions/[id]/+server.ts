import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { reviewDetail } from '$lib/server/review';

export async function GET({ locals, params }) {
	const user = requireAdmin(locals.user);
	const detail = await reviewDetail(getApp().database.db, user.org_id, params.id);
	return detail ? json(detail) : apiError('NOT_FOUND', 'No such submission');
}
