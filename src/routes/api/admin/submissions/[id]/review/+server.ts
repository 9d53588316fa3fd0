import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { decideSubmission } from '$lib/server/review';
import { ReviewDecisionSchema } from '$lib/domain/api-requests';

export async function POST({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, ReviewDecisionSchema);
	if (!body) return apiError('BAD_REQUEST', "Expected { decision: 'ok' | 'flagged', comment }");
	const app = getApp();
	const result = await decideSubmission(app.database.db, app.clock, user, params.id, body);
	if (!result.ok) return failureResponse(result);
	// Resolving the last flag releases a held finalisation.
	app.jobs.kick();
	return json({ status: result.status, at: result.at });
}
