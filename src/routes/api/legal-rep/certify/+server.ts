import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { certifyAsLegalRep } from '$lib/server/orgs';
import type { ProfileResponse } from '$lib/domain/api-types';
import { CertificationBody } from '$lib/domain/api-requests';

/** Personal certification as the application's legal representative (SPEC LR3). */
export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, CertificationBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { documentType, realName, idNumber }');
	const app = getApp();
	const result = await certifyAsLegalRep(
		{ db: app.database.db, clock: app.clock, verifier: app.identity },
		user,
		body
	);
	if (!result.ok) return failureResponse(result);
	const answer: ProfileResponse = { profile: result.profile };
	return json(answer);
}
