import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { reviewFacets } from '$lib/server/review/review';

export async function GET({ locals }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	return json(await reviewFacets(getApp().database.db, auth.user.org_id));
}
