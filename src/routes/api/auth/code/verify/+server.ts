import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { markSessionVerified, sessionUser, startSession, verifyLoginCode } from '$lib/server/auth';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import { CodeLoginVerifyBody } from '$lib/domain/api-requests';
import type { LoginResponse } from '$lib/domain/api-types';

// Per IP, on top of the 5 attempts per code: stops one address sweeping many contacts' codes.
const perIp = new RateLimiter('login-code-verify:ip', 30, 60_000);

export async function POST({ request, cookies, getClientAddress, url }) {
	const ip = getClientAddress();
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, ip))) {
		return apiError('RATE_LIMITED', 'Too many attempts; wait a minute', { 'Retry-After': '60' });
	}
	const body = await readBody(request, CodeLoginVerifyBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { contact, code } with a 6-digit code');
	const db = app.database.db;
	const result = await verifyLoginCode({ db, clock: app.clock }, { ...body, ip });
	if (!result.ok) return failureResponse(result);
	// No passkey yet (CL6): revoking a passkey does not end it, enrolling one here binds it.
	const session = await startSession(db, cookies, url, result.user.id, app.clock);
	// The code just proved the registered contact (CL7): a passkey for this device may be added
	// now, without first proving a passkey the member holds on another device.
	await markSessionVerified(db, session.idHash, app.clock);
	const answer: LoginResponse = { user: sessionUser(result.user) };
	return json(answer);
}
