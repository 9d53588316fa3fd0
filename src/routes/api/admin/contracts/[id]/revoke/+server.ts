import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { revokeContract } from '$lib/server/contracts';
import { contractDeps } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { RevokeBody } from '$lib/domain/api-requests';

export async function POST({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, RevokeBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { reason }');
	const result = await revokeContract(contractDeps(getApp()), user, params.id, body.reason);
	if (!result.ok) return failureResponse(result);
	return json({ status: 'revoked' });
}
