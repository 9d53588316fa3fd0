import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { imageResponse } from '$lib/server/seals';

// The review pages' thumbnails. Visibility is the signing kit's rule (SPEC SK2): an admin sees the
// images of their own organisation only, so knowing a hash from elsewhere opens nothing.
export async function GET({ locals, params }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const response = await imageResponse(app.database.db, app.blobs, user, params.hash);
	return response ?? apiError('NOT_FOUND', 'No such image');
}
