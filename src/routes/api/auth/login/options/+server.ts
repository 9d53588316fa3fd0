import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { apiError } from '$lib/server/platform/http';
import { authenticationOptions, passkeyDeps } from '$lib/server/auth';
import { RateLimiter } from '$lib/server/platform/rate-limit';

// Anyone may ask for login options and each one writes a challenge row: limit per IP so the
// table cannot be flooded. Generous, because the login page asks once per visit for autofill.
const perIp = new RateLimiter('login-options:ip', 60, 60_000);

export async function POST({ getClientAddress }) {
	const app = getApp();
	if (!(await perIp.take(app.database.db, app.clock, getClientAddress()))) {
		return apiError('RATE_LIMITED', 'Too many attempts; wait a minute', { 'Retry-After': '60' });
	}
	return json(await authenticationOptions(passkeyDeps(app)));
}
