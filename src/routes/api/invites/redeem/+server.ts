import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { markSessionVerified, startSession } from '$lib/server/auth';
import { redeemLink } from '$lib/server/recovery';
import { hasActivePasskey } from '$lib/server/orgs';
import { RateLimiter } from '$lib/server/platform/rate-limit';
import { RedeemBody } from '$lib/domain/api-requests';

// Per IP, on top of the 5 attempts per invite: stops one address sweeping many invites.
const perIp = new RateLimiter('invite-redeem:ip', 30, 60_000);

export async function POST({ request, cookies, getClientAddress, url }) {
	const ip = getClientAddress();
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, ip))) {
		return apiError('RATE_LIMITED', 'Too many attempts; wait a minute', { 'Retry-After': '60' });
	}
	const body = await readBody(request, RedeemBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { token, code } with a 6-digit code');
	const result = await redeemLink({ db: app.database.db, clock: app.clock }, { ...body, ip });
	if (!result.ok) return failureResponse(result);
	// A legal representative who already has a passkey signs in with it (SPEC LR2): the code
	// reached a contact an administrator typed, which must not open an existing account.
	if (result.purpose === 'legal_rep' && (await hasActivePasskey(app.database.db, result.userId))) {
		return json({ ok: true, signIn: true });
	}
	const session = await startSession(app.database.db, cookies, url, result.userId, app.clock);
	// A re-enrolment just proved who this is again (RC5): the new passkey may be added even
	// while the account keeps its old ones, which would otherwise ask for one of them first.
	if (result.purpose === 'recover') {
		await markSessionVerified(app.database.db, session.idHash, app.clock);
	}
	return json({ ok: true });
}
