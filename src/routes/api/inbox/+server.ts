import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { listInbox } from '$lib/server/contracts';
import type { InboxResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireUser(locals.user);
	const body: InboxResponse = {
		items: await listInbox(getApp().database.db, user.id),
		orgId: user.org_id
	};
	return json(body, { headers: { 'Cache-Control': 'private, no-store' } });
}
