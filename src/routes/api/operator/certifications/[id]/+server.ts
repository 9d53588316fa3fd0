import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireOperator } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { decideCertification } from '$lib/server/orgs';
import { CertDecisionBody } from '$lib/domain/api-requests';

/** Approve, or reject with a reason (SPEC OC3, OC4). */
export async function POST({ locals, request, params }) {
	const deps = certDeps();
	const operator = await requireOperator(locals.user, deps.db);
	const body = await readBody(request, CertDecisionBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { decision, reason? }');
	const result = await decideCertification(deps, operator, params.id, body);
	if (!result.ok) return failureResponse(result);
	return json({});
}
