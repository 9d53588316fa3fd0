import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { inviteDeps, resendInviteCode } from '$lib/server/auth';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import { ResendCodeBody } from '$lib/domain/api-requests';

// Per IP, on top of the per-invite cooldown: one address cannot make many invites send codes.
const perIp = new RateLimiter('invites-resend:ip', 10, 60_000);

export async function POST({ request, getClientAddress }) {
	const ip = getClientAddress();
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, ip))) {
		return apiError('RATE_LIMITED', 'Too many requests; wait a minute', { 'Retry-After': '60' });
	}
	const body = await readBody(request, ResendCodeBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { token }');
	const result = await resendInviteCode(inviteDeps(app), { token: body.token, ip });
	if (!result.ok) return failureResponse(result);
	return json(result);
}
