import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { renamePasskey, revokePasskey, sessionCookieName } from '$lib/server/auth';
import type { PasskeyResponse, PasskeyRevokedResponse } from '$lib/domain/api-types';
import { PasskeyRenameBody } from '$lib/domain/api-requests';

export async function PATCH({ locals, params, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, PasskeyRenameBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name }');
	const result = await renamePasskey(getApp().database.db, user.id, params.id, body.name);
	if (!result.ok) return failureResponse(result);
	const answer: PasskeyResponse = { passkey: result.value };
	return json(answer);
}

/**
 * Revokes a passkey. Revoking the one this session was signed in with is allowed and ends this
 * session too (the answer says so and the cookie goes): a revoke means "no longer trusted", and
 * a session opened with an untrusted passkey must not outlive it.
 */
export async function DELETE({ locals, params, cookies, url }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const result = await revokePasskey(app.database.db, app.clock, user.id, params.id);
	if (!result.ok) return failureResponse(result);
	const signedOut = locals.credentialId === params.id;
	if (signedOut) cookies.delete(sessionCookieName(url), { path: '/' });
	const answer: PasskeyRevokedResponse = { ok: true, signedOut };
	return json(answer);
}
