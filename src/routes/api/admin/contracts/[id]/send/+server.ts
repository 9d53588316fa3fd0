import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { contractDeps, sendContract } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';
import type { ContractSent } from '$lib/domain/api-types';

export async function POST({ locals, params }) {
	const user = requireAdmin(locals.user);
	const result = await sendContract(contractDeps(getApp()), user, params.id);
	if (!result.ok) return failureResponse(result);
	// The service's answer is the response: nothing to pick field by field.
	const { ok: _ok, ...sent } = result;
	return json(sent satisfies ContractSent);
}
