import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { topUpTickets } from '$lib/server/auth';
import { TicketsBody } from '$lib/domain/api-requests';

export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, TicketsBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { credentialId }');
	const app = getApp();
	const result = await topUpTickets(app.database.db, app.clock, user.id, body.credentialId);
	if (!result.ok) return failureResponse(result);
	return json(result.value);
}
