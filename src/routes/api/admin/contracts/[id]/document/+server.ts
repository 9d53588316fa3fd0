import { getApp } from '$lib/server/app';
import { contractDocument, documentResponse } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/guards';
import { apiError } from '$lib/server/http';

export async function GET({ locals, params, request }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	const doc = await contractDocument(app.database.db, auth.user.org_id, params.id);
	const response = doc && (await documentResponse(app.blobs, doc, request));
	return response ?? apiError('NOT_FOUND', 'No such contract');
}
