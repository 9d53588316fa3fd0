import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { inviteLinkInfo } from '$lib/server/recovery';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import { ResendCodeBody } from '$lib/domain/api-requests';
import type { InviteLinkInfo } from '$lib/domain/api-types';

// Per IP: answers say whether a token exists, so one address must not sweep many.
const perIp = new RateLimiter('invites-info:ip', 30, 60_000);

/** What an invite link is for (SPEC RC2), before its code; nothing is spent. */
export async function POST({ request, getClientAddress }) {
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, getClientAddress()))) {
		return apiError('RATE_LIMITED', 'Too many requests; wait a minute', { 'Retry-After': '60' });
	}
	const body = await readBody(request, ResendCodeBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { token }');
	const result = await inviteLinkInfo({ db: app.database.db }, body.token);
	if (!result.ok) return failureResponse(result);
	const answer: InviteLinkInfo = {
		purpose: result.purpose,
		idNumberRequired: result.idNumberRequired
	};
	return json(answer);
}
