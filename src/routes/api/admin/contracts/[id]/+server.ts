import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { contractDetail } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import type { ContractDetailResponse } from '$lib/domain/api-types';

export async function GET({ locals, params }) {
	const user = requireAdmin(locals.user);
	const contract = await contractDetail(getApp().database.db, user.org_id, params.id);
	if (!contract) return apiError('NOT_FOUND', 'No such contract');
	const body: ContractDetailResponse = { contract };
	return json(body);
}
