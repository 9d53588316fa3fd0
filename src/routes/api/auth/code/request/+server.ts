import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { inviteDeps, requestLoginCode } from '$lib/server/auth';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import { CodeLoginRequestBody } from '$lib/domain/api-requests';
import { CODE_LOGIN_PER_IP_HOURLY } from '$lib/domain/code-login';
import type { CodeLoginRequested } from '$lib/domain/api-types';

// Per address, whatever contacts it names: one visitor cannot walk a list of numbers (CL3).
const perIp = new RateLimiter('login-code-request:ip', CODE_LOGIN_PER_IP_HOURLY, 3_600_000);

export async function POST({ request, getClientAddress }) {
	const ip = getClientAddress();
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, ip))) {
		return apiError('RATE_LIMITED', 'Too many codes asked for; try again later', {
			'Retry-After': '3600'
		});
	}
	const body = await readBody(request, CodeLoginRequestBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { contact }');
	const result = await requestLoginCode(inviteDeps(app), { contact: body.contact, ip });
	if (!result.ok) return failureResponse(result);
	// The queued message goes out now rather than at the next timer tick; every answer kicks,
	// so a member's contact is not told apart by timing.
	app.jobs.kick();
	const answer: CodeLoginRequested = { resendAfterSeconds: result.resendAfterSeconds };
	return json(answer);
}
