import { getApp } from '$lib/server/app';
import { documentResponse } from '$lib/server/contracts';
import { participantDocument } from '$lib/server/envelopes';
import { requireUser } from '$lib/server/guards';
import { apiError } from '$lib/server/http';

export async function GET({ locals, params, request }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	const doc = await participantDocument(app.database.db, auth.user, params.id);
	const response = doc && (await documentResponse(app.blobs, doc, request));
	return response ?? apiError('NOT_FOUND', 'No such envelope');
}
