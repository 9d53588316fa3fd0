import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireSealKeeper } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { listSealUses, parseSealUsesQuery } from '$lib/server/seals';

/** One page of the seal's usage history (SA8): ?cursor=&limit=, newest first. */
export async function GET({ locals, params, url }) {
	const user = requireSealKeeper(locals.user);
	const query = parseSealUsesQuery(url.searchParams);
	if (!query) return apiError('BAD_REQUEST', 'Expected ?cursor=&limit= (1–100)');
	const page = await listSealUses(getApp().database.db, user.org_id, params.id, query);
	if (page === 'not-found') return apiError('NOT_FOUND', 'No such seal in your organisation');
	if (page === 'bad-cursor') return apiError('BAD_REQUEST', 'Unknown cursor');
	return json(page);
}
