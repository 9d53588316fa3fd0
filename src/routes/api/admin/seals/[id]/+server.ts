import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireSealKeeper } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { setSealStatus, updateSeal } from '$lib/server/seals';
import { SealBody } from '$lib/domain/api-requests';
import { SealStatusBody } from '$lib/domain/api-requests';

/** Edits and regenerates a generated seal. */
export async function PUT({ locals, request, params }) {
	const user = requireSealKeeper(locals.user);
	const body = await readBody(request, SealBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name, spec }');
	const app = getApp();
	const deps = { db: app.database.db, blobs: app.blobs, clock: app.clock };
	const result = await updateSeal(deps, user, params.id, body);
	if (!result.ok) return failureResponse(result);
	return json({ id: result.id, image: result.image });
}

/** Disables or enables a seal. */
export async function PATCH({ locals, request, params }) {
	const user = requireSealKeeper(locals.user);
	const body = await readBody(request, SealStatusBody);
	if (!body) return apiError('BAD_REQUEST', "Expected { status: 'active' | 'disabled' }");
	const app = getApp();
	const deps = { db: app.database.db, blobs: app.blobs, clock: app.clock };
	const result = await setSealStatus(deps, user, params.id, body.status);
	if (!result.ok) return failureResponse(result);
	return json({ ok: true });
}
