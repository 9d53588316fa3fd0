import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, readBody } from '$lib/server/platform/http';
import { missingBlobs } from '$lib/server/sync';
import type { BlobsMissingResponse } from '$lib/domain/api-types';
import { MISSING_MAX_HASHES, MissingBlobsBody } from '$lib/domain/api-requests';

/** Which images the device must upload with a submission: only those the server lacks. */
export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, MissingBlobsBody);
	if (!body) {
		return apiError('BAD_REQUEST', `Expected { hashes: sha256hex[≤${MISSING_MAX_HASHES}] }`);
	}
	const app = getApp();
	const answer: BlobsMissingResponse = {
		missing: await missingBlobs(app.database.db, app.blobs, user, body.hashes)
	};
	return json(answer, { headers: { 'Cache-Control': 'private, no-store' } });
}
