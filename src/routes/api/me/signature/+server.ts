import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse } from '$lib/server/platform/http';
import { clearSignature, readCapped, saveSignature, SIGNATURE_MAX_BYTES } from '$lib/server/seals';
import type { SavedSignatureResponse } from '$lib/domain/api-types';

/** Body: the PNG bytes themselves (no JSON, no base64: a third smaller on a field connection). */
export async function PUT({ locals, request }) {
	const user = requireUser(locals.user);
	const bytes = await readCapped(request, SIGNATURE_MAX_BYTES);
	if (!bytes)
		return apiError('IMAGE_TOO_LARGE', `A signature may have at most ${SIGNATURE_MAX_BYTES} bytes`);
	const app = getApp();
	const result = await saveSignature(
		{ db: app.database.db, blobs: app.blobs, clock: app.clock },
		user,
		bytes
	);
	if (!result.ok) return failureResponse(result);
	const body: SavedSignatureResponse = { image: result.image };
	return json(body);
}

export async function DELETE({ locals }) {
	const user = requireUser(locals.user);
	await clearSignature(getApp().database.db, user);
	return new Response(null, { status: 204 });
}
