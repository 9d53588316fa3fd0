import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, readBody } from '$lib/server/platform/http';
import { topUpTickets } from '$lib/server/auth/tickets';

const Body = v.object({ credentialId: v.pipe(v.string(), v.minLength(1), v.maxLength(1_400)) });

export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, Body);
	if (!body) return apiError('BAD_REQUEST', 'Expected { credentialId }');
	const app = getApp();
	const result = await topUpTickets(app.database.db, app.clock, user.id, body.credentialId);
	if (!result.ok) return apiError(result.code, result.message);
	return json(result.value);
}
