import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/app';
import { requireUser } from '$lib/server/guards';
import { apiError } from '$lib/server/http';
import { ingestSubmission } from '$lib/server/ingest';

export async function POST({ locals, request }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const body: unknown = await request.json().catch(() => null);
	if (body === null) return apiError('BAD_REQUEST', 'Expected a JSON body');
	const app = getApp();
	const answer = await ingestSubmission(
		{ db: app.database.db, blobs: app.blobs, clock: app.clock, origin: app.config.origin },
		auth.user,
		body
	);
	return json(answer.body, { status: answer.status });
}
