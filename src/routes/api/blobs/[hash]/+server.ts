import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { imageResponse } from '$lib/server/seals/seals';

export async function GET({ locals, params }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	const response = await imageResponse(app.database.db, app.blobs, auth.user, params.hash);
	return response ?? apiError('NOT_FOUND', 'No such image');
}
