import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';
import { legalRepRequest } from '$lib/server/orgs';
import type { LegalRepRequestView } from '$lib/domain/api-types';

/** The authorisation request waiting for the signed-in legal representative (SPEC LR3, LR4). */
export async function GET({ locals }) {
	const user = requireUser(locals.user);
	const result = await legalRepRequest(getApp().database.db, user);
	if (!result.ok) return failureResponse(result);
	const { ok: _ok, ...view } = result;
	const body: LegalRepRequestView = view;
	return json(body);
}
