import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { sendContract } from '$lib/server/contracts';
import { contractDeps } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import type { ContractSent } from '$lib/domain/api-types';

export async function POST({ locals, params }) {
	const user = requireAdmin(locals.user);
	const result = await sendContract(contractDeps(getApp()), user, params.id);
	if (!result.ok) return apiError(result.code, result.message, undefined, result.details);
	const body: ContractSent = {
		invited: result.invited,
		notified: result.notified,
		notifyFailed: result.notifyFailed,
		waiting: result.waiting,
		held: result.held
	};
	return json(body);
}
