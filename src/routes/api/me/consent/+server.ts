import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { recordConsent } from '$lib/server/auth';
import type { ProfileResponse } from '$lib/domain/api-types';
import { ConsentBody } from '$lib/domain/api-requests';

export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, ConsentBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { version }');
	const app = getApp();
	const result = await recordConsent({ db: app.database.db, clock: app.clock }, user, body.version);
	if (!result.ok) return failureResponse(result);
	const answer: ProfileResponse = { profile: result.profile };
	return json(answer);
}
