import { json } from '@sveltejs/kit';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { joinAsPerson, passkeyDeps, verifyAuthentication } from '$lib/server/auth';
import { PasskeyCheckBody } from '$lib/domain/api-requests';

/**
 * Joins the invitation just redeemed in this session to the person whose passkey answers
 * (SPEC MO4), instead of enrolling a new passkey. The options are /api/session/check/options.
 */
export async function POST({ locals, request, getClientAddress }) {
	requireUser(locals.user);
	if (!locals.session) return apiError('UNAUTHENTICATED', 'Sign in first');
	const body = await readBody(request, PasskeyCheckBody);
	if (!body) return apiError('BAD_REQUEST', 'Malformed authentication response');
	const app = getApp();
	const proved = await verifyAuthentication(
		passkeyDeps(app),
		body.response as AuthenticationResponseJSON
	);
	if (!proved.ok) return failureResponse(proved);
	const result = await joinAsPerson(
		app.database.db,
		app.clock,
		locals.session,
		proved.value.user,
		proved.value.credentialId,
		getClientAddress()
	);
	if (!result.ok) return failureResponse(result);
	return json({ ok: true });
}
