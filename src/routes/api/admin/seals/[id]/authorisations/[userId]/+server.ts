import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireSealKeeper } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';
import { authoriseSeal, revokeSeal } from '$lib/server/seals';

/** Authorises the user to stamp with the seal (idempotent). */
export async function PUT({ locals, params }) {
	const user = requireSealKeeper(locals.user);
	const app = getApp();
	const deps = { db: app.database.db, blobs: app.blobs, clock: app.clock };
	const result = await authoriseSeal(deps, user, params.id, params.userId);
	if (!result.ok) return failureResponse(result);
	return json({ ok: true });
}

/** Revokes the user's authorisation (kept with revoked_at, idempotent). */
export async function DELETE({ locals, params }) {
	const user = requireSealKeeper(locals.user);
	const app = getApp();
	const deps = { db: app.database.db, blobs: app.blobs, clock: app.clock };
	const result = await revokeSeal(deps, user, params.id, params.userId);
	if (!result.ok) return failureResponse(result);
	return json({ ok: true });
}
