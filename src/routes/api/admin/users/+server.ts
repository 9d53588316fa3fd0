import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { listOrgUsers } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import type { OrgUsersResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const body: OrgUsersResponse = {
		users: await listOrgUsers(getApp().database.db, auth.user.org_id)
	};
	return json(body);
}
