import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';
import { issueLegalRepManifest } from '$lib/server/orgs';

/** Issues the authorisation manifest the representative confirms (SPEC LR4). */
export async function POST({ locals }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const result = await issueLegalRepManifest({ db: app.database.db, clock: app.clock }, user);
	if (!result.ok) return failureResponse(result);
	return json({ manifest: result.manifest, manifestHash: result.manifestHash });
}
