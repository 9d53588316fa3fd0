import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/app';
import { verifyAuditLog } from '$lib/server/audit';
import { requireAdmin } from '$lib/server/guards';
import type { AuditVerifyResponse } from '$lib/domain/api-types';

/** Recomputes the whole chain and names the first broken row (SPEC A5, A6). */
export async function POST({ locals }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const body: AuditVerifyResponse = await verifyAuditLog(getApp().database.db);
	return json(body);
}
