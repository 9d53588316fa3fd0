import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { preAuthRefusals } from '$lib/server/review';
import type { PreAuthRefusalsResponse } from '$lib/domain/api-types';

/** Today's counted refusals of the admin's organisation, beside the review list. */
export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const day = app.clock().toISOString().slice(0, 10);
	const body: PreAuthRefusalsResponse = {
		day,
		items: await preAuthRefusals(app.database.db, user.org_id, day)
	};
	return json(body);
}
