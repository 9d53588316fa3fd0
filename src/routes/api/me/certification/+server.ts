import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { certificationOptions, certify } from '$lib/server/auth';
import type { CertificationOptions, ProfileResponse } from '$lib/domain/api-types';
import { CertificationBody } from '$lib/domain/api-requests';

export async function GET({ locals }) {
	requireUser(locals.user);
	const body: CertificationOptions = certificationOptions(getApp().identity);
	return json(body);
}

export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, CertificationBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { documentType, realName, idNumber }');
	const app = getApp();
	const result = await certify(
		{ db: app.database.db, clock: app.clock, verifier: app.identity },
		user,
		body
	);
	if (!result.ok) return failureResponse(result);
	const answer: ProfileResponse = { profile: result.profile };
	return json(answer);
}
