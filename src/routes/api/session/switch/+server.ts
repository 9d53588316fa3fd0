import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { membershipsOf, sessionUser, switchMembership } from '$lib/server/auth';
import { SwitchBody } from '$lib/domain/api-requests';
import type { SessionResponse } from '$lib/domain/api-types';

/** Moves this session to another organisation of the same person (SPEC MO3). */
export async function POST({ locals, request, getClientAddress }) {
	requireUser(locals.user);
	if (!locals.session) return apiError('UNAUTHENTICATED', 'Sign in first');
	const body = await readBody(request, SwitchBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { userId }');
	const app = getApp();
	const db = app.database.db;
	const result = await switchMembership(
		db,
		app.clock,
		locals.session,
		body.userId,
		getClientAddress()
	);
	if (!result.ok) return failureResponse(result);
	const answer: SessionResponse = {
		user: sessionUser(result.user),
		memberships: await membershipsOf(db, result.user)
	};
	return json(answer);
}
