import { json } from '@sveltejs/kit';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { passkeyDeps, verifyAuthentication, markSessionVerified, personOf } from '$lib/server/auth';
import { PasskeyCheckBody } from '$lib/domain/api-requests';

/**
 * Completes a passkey check: a user-verified assertion by one of the session user's own
 * passkeys marks this session as recently checked (enrolling another passkey asks for it).
 */
export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	if (!locals.session) return apiError('UNAUTHENTICATED', 'Sign in first');
	const body = await readBody(request, PasskeyCheckBody);
	if (!body) return apiError('BAD_REQUEST', 'Malformed authentication response');
	const app = getApp();
	const result = await verifyAuthentication(
		passkeyDeps(app),
		body.response as AuthenticationResponseJSON
	);
	if (!result.ok) return failureResponse(result);
	// Any passkey of the person (MO6): the one they hold may have been enrolled in another organisation.
	if (personOf(result.value.user) !== personOf(user)) {
		return apiError('PASSKEY_UNKNOWN', 'This passkey belongs to another account');
	}
	await markSessionVerified(app.database.db, locals.session.idHash, app.clock);
	return json({ ok: true });
}
