import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { pullChanges } from '$lib/server/sync';

/** The signed-in user's envelopes changed since `cursor` (absent: all of them). */
export async function GET({ locals, url }) {
	const user = requireUser(locals.user);
	const body = await pullChanges(getApp().database.db, user, url.searchParams.get('cursor'));
	return json(body, { headers: { 'Cache-Control': 'private, no-store' } });
}
