import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { verifyAuditLog } from '$lib/server/audit';
import { requireAdmin } from '$lib/server/platform/guards';
import type { AuditVerifyResponse } from '$lib/domain/api-types';

/**
 * Recomputes the whole chain (all organisations: it is one chain) and names the first broken row,
 * then checks it ends at the signed head (SPEC A5, A6, A10). Answers only seqs and hashes.
 */
export async function POST({ locals }) {
	requireAdmin(locals.user);
	const body: AuditVerifyResponse = await verifyAuditLog(getApp().database.db);
	return json(body);
}
