import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { saveDetails } from '$lib/server/auth';
import type { ProfileResponse } from '$lib/domain/api-types';
import { DetailsBody } from '$lib/domain/api-requests';

export async function POST({ locals, request, getClientAddress }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, DetailsBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { realName, idNumber }');
	const app = getApp();
	const result = await saveDetails({ db: app.database.db, clock: app.clock }, user, {
		...body,
		ip: getClientAddress()
	});
	if (!result.ok) return failureResponse(result);
	const answer: ProfileResponse = { profile: result.profile };
	return json(answer);
}
