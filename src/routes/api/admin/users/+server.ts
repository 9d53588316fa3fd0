import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { listOrgUsers } from '$lib/server/contracts';
import { requireSealKeeper } from '$lib/server/platform/guards';
import type { OrgUsersResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireSealKeeper(locals.user);
	const body: OrgUsersResponse = {
		users: await listOrgUsers(getApp().database.db, user.org_id)
	};
	return json(body);
}
