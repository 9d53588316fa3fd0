import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/platform/app';
import { requireSealKeeper } from '$lib/server/platform/guards';
import { apiError, failureResponse } from '$lib/server/platform/http';
import { createPhotoSeal, readCapped } from '$lib/server/seals';
import { PHOTO_SEAL_MAX_BYTES } from '$lib/domain/seal-photo';
import { PhotoSealQuery } from '$lib/domain/api-requests';

/**
 * Creates a seal from a photo (SA5). Body: the transparent PNG the browser made, as bytes (no
 * multipart, no base64), read no further than the limit; name, shape and size in the query.
 */
export async function POST({ locals, request, url }) {
	const user = requireSealKeeper(locals.user);
	const query = v.safeParse(PhotoSealQuery, Object.fromEntries(url.searchParams));
	if (!query.success) return apiError('BAD_REQUEST', 'Expected ?name=&shape=&widthMm=&heightMm=');
	const bytes = await readCapped(request, PHOTO_SEAL_MAX_BYTES);
	if (!bytes)
		return apiError(
			'IMAGE_TOO_LARGE',
			`A photo seal may have at most ${PHOTO_SEAL_MAX_BYTES} bytes`
		);
	const app = getApp();
	const result = await createPhotoSeal(
		{ db: app.database.db, blobs: app.blobs, clock: app.clock },
		user,
		query.output,
		bytes
	);
	if (!result.ok) return failureResponse(result);
	return json({ id: result.id, image: result.image }, { status: 201 });
}
