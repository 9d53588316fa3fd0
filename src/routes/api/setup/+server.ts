import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse } from '$lib/server/platform/http';
import { redeemSetupToken, startSession } from '$lib/server/auth';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import { SetupBody } from '$lib/domain/api-requests';

const perIp = new RateLimiter('setup:ip', 20, 60_000);

export async function POST({ request, cookies, getClientAddress, url }) {
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, getClientAddress()))) {
		return apiError('RATE_LIMITED', 'Too many attempts; wait a minute', { 'Retry-After': '60' });
	}
	const parsed = v.safeParse(SetupBody, await request.json().catch(() => null));
	if (!parsed.success) return apiError('SETUP_LINK_INVALID', 'Malformed setup token');
	const result = await redeemSetupToken(app.database.db, parsed.output.token, app.clock);
	if (!result.ok) return failureResponse(result);
	await startSession(app.database.db, cookies, url, result.userId, app.clock);
	return json({ ok: true });
}
