import { json } from '@sveltejs/kit';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { passkeyDeps, verifyAuthentication, sessionUser, startSession } from '$lib/server/auth';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import type { LoginResponse } from '$lib/domain/api-types';
import { LoginVerifyBody } from '$lib/domain/api-requests';

const perIp = new RateLimiter('login-verify:ip', 20, 60_000);

export async function POST({ request, cookies, getClientAddress, url }) {
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, getClientAddress()))) {
		return apiError('RATE_LIMITED', 'Too many attempts; wait a minute', { 'Retry-After': '60' });
	}
	const body = await readBody(request, LoginVerifyBody);
	if (!body) return apiError('BAD_REQUEST', 'Malformed authentication response');
	const result = await verifyAuthentication(
		passkeyDeps(app),
		body.response as AuthenticationResponseJSON
	);
	if (!result.ok) return failureResponse(result);
	const { user, credentialId } = result.value;
	// Bound to the passkey used, so revoking it (from any device) ends this session.
	await startSession(app.database.db, cookies, url, user.id, app.clock, credentialId);
	const answer: LoginResponse = { user: sessionUser(user) };
	return json(answer);
}
