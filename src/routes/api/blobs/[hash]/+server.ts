import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { imageResponse } from '$lib/server/seals';

export async function GET({ locals, params }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const response = await imageResponse(app.database.db, app.blobs, user, params.hash);
	return response ?? apiError('NOT_FOUND', 'No such image');
}
