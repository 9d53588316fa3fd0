import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { inviteDeps } from '$lib/server/auth';
import { requestLegalRep } from '$lib/server/orgs';
import { LegalRepRequestBody } from '$lib/domain/api-requests';

/** 法定代表人认证: sends the legal representative the link and code (SPEC LR1, LR2). */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, LegalRepRequestBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { contact, documentType, idNumber }');
	const result = await requestLegalRep(inviteDeps(getApp()), user, body);
	if (!result.ok) return failureResponse(result);
	return json({ expiresAt: result.expiresAt }, { status: 201 });
}
