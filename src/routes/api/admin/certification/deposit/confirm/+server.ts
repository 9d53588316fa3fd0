import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { confirmDeposit } from '$lib/server/orgs';
import { DepositAnswerBody } from '$lib/domain/api-requests';

/** The amount typed back (SPEC OC6); a wrong one answers how many tries are left. */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, DepositAnswerBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { amount }');
	const result = await confirmDeposit(certDeps(), user, body.amount);
	if (!result.ok) return failureResponse(result);
	return json({});
}
