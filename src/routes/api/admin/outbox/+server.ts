import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { listOutbox } from '$lib/server/auth';
import type { OutboxResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const body: OutboxResponse = {
		messages: await listOutbox(getApp().database.db, user.org_id)
	};
	return json(body);
}
