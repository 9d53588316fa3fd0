import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { listOutbox } from '$lib/server/auth/invites';
import type { OutboxResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const body: OutboxResponse = {
		messages: await listOutbox(getApp().database.db, auth.user.org_id)
	};
	return json(body);
}
