import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/app';
import { listContracts } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/guards';
import type { ContractsResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const body: ContractsResponse = {
		contracts: await listContracts(getApp().database.db, auth.user.org_id)
	};
	return json(body);
}
