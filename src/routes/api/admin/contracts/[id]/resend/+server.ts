import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { contractDeps, resendContract } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';
import type { ContractResent } from '$lib/domain/api-types';

/** Resends a returned contract (SPEC LC5): a new round for every signer. */
export async function POST({ locals, params }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const result = await resendContract(contractDeps(app), user, params.id);
	if (!result.ok) return failureResponse(result);
	app.jobs.kick();
	const body: ContractResent = { revision: result.revision };
	return json(body);
}
