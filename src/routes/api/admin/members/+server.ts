import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { listMembers } from '$lib/server/members';
import { requireAdmin } from '$lib/server/platform/guards';
import type { MembersResponse } from '$lib/domain/api-types';

/** Every member of the admin's organisation, deactivated ones included. */
export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const body: MembersResponse = { members: await listMembers(getApp().database.db, user.org_id) };
	return json(body);
}
