import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { saveFields } from '$lib/server/contracts';
import { FieldsInput } from '$lib/domain/api-requests';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';

export async function PUT({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, FieldsInput);
	if (!body) return apiError('BAD_REQUEST', 'Expected { fields }');
	const result = await saveFields(
		{ db: getApp().database.db },
		user.org_id,
		params.id,
		body.fields
	);
	if (!result.ok) return failureResponse(result);
	return json({ fields: result.fields, readiness: result.readiness });
}
