import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { listTemplates, saveTemplate } from '$lib/server/contracts';
import { contractDeps } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import type { FieldTemplatesResponse } from '$lib/domain/api-types';
import { TemplateBody } from '$lib/domain/api-requests';

export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const body: FieldTemplatesResponse = {
		templates: await listTemplates(getApp().database.db, user.org_id)
	};
	return json(body);
}

/** Saves the contract's stored layout under a name (the same name replaces it). */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, TemplateBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name, contractId }');
	const result = await saveTemplate(contractDeps(getApp()), user, body);
	if (!result.ok) return failureResponse(result);
	return json({ template: result.template }, { status: 201 });
}
