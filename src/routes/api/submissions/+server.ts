import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { ingestSubmission } from '$lib/server/sync';
import { RateLimiter } from '$lib/server/platform/rate-limit';

// Each submission is a transaction, a signature check and up to 4 MB of JSON. A device drains
// its outbox one row at a time, so even a week offline stays far below the per-user limit; the
// per-address limit is higher because an office shares one address. Behind a proxy the address
// is only right with ADDRESS_HEADER set (README). A 429 is retried by the device, never final.
let perAddress: RateLimiter | null = null;
const perUser = new RateLimiter('submissions:user', 120, 60_000);

function rateLimited(): Response {
	return apiError('RATE_LIMITED', 'Too many submissions; wait a minute', { 'Retry-After': '60' });
}

export async function POST({ locals, request, getClientAddress }) {
	const app = getApp();
	const { db } = app.database;
	perAddress ??= new RateLimiter('submissions:address', app.config.submissionsPerAddress, 60_000);
	if (!(await perAddress.take(db, app.clock, getClientAddress()))) return rateLimited();
	const user = requireUser(locals.user);
	if (!(await perUser.take(db, app.clock, user.id))) return rateLimited();
	const body: unknown = await request.json().catch(() => null);
	if (body === null) return apiError('BAD_REQUEST', 'Expected a JSON body');
	const answer = await ingestSubmission(
		{ db: app.database.db, blobs: app.blobs, clock: app.clock, origin: app.config.origin },
		user,
		body,
		{ ip: getClientAddress(), userAgent: request.headers.get('user-agent') }
	);
	// A completing signature queued the contract's finalisation: start it now, not at the next tick.
	if (answer.status === 201) app.jobs.kick();
	return json(answer.body, { status: answer.status });
}
