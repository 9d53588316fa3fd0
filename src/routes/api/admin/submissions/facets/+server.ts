import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { reviewFacets } from '$lib/server/review';

export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	return json(await reviewFacets(getApp().database.db, user.org_id));
}
