import { json } from '@sveltejs/kit';
import type { Profile, ProfileResponse } from '$lib/domain/api-types';
import { CertificationBody, type RequestOf } from '$lib/domain/api-requests';
import type { Failure } from '$lib/domain/errors';
import type { User } from '../../db/schema';
import { apiError, failureResponse, readBody } from '../../platform/http';
import type { CertificationDeps } from './certify';

/** One way of certifying a person: their own (PC) or as an application's legal representative. */
export type CertifyStep = (
	deps: CertificationDeps,
	user: User,
	input: RequestOf<typeof CertificationBody>
) => Promise<{ ok: true; profile: Profile } | Failure>;

/**
 * The HTTP side both certification endpoints share: one request body, one answer. Kept in one
 * place so the two ways of certifying cannot drift apart in what they accept or return.
 */
export async function certificationAnswer(
	request: Request,
	user: User,
	deps: CertificationDeps,
	step: CertifyStep
): Promise<Response> {
	const body = await readBody(request, CertificationBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { documentType, realName, idNumber }');
	const result = await step(deps, user, body);
	if (!result.ok) return failureResponse(result);
	const answer: ProfileResponse = { profile: result.profile };
	return json(answer);
}
