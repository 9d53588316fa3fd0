import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { reverifySubmission } from '$lib/server/review';

export async function POST({ locals, params }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const result = await reverifySubmission(
		app.database.db,
		app.clock,
		app.config.origin,
		user.org_id,
		params.id
	);
	return result ? json(result) : apiError('NOT_FOUND', 'No such submission');
}
