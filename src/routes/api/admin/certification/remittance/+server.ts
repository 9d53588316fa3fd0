import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';
import { startOrgDeposit } from '$lib/server/orgs';

/** 对公打款, organisation pays: the application's remark code (SPEC OC8). */
export async function POST({ locals }) {
	const user = requireAdmin(locals.user);
	const result = await startOrgDeposit(certDeps(), user);
	if (!result.ok) return failureResponse(result);
	return json({ remarkCode: result.remarkCode });
}
