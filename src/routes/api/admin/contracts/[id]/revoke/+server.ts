import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/platform/app';
import { revokeContract } from '$lib/server/contracts';
import { contractDeps } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, readBody } from '$lib/server/platform/http';

const Body = v.object({ reason: v.pipe(v.string(), v.maxLength(2000)) });

export async function POST({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, Body);
	if (!body) return apiError('BAD_REQUEST', 'Expected { reason }');
	const result = await revokeContract(contractDeps(getApp()), user, params.id, body.reason);
	if (!result.ok) return apiError(result.code, result.message, undefined, result.details);
	return json({ status: 'revoked' });
}
