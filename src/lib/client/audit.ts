import type { AuditPageResponse, AuditVerifyResponse } from '$lib/domain/api-types';
import { api } from './api';

/** One page of the audit trail, newest first; `cursor` continues below the previous page. */
export function listAudit(
	fetcher: typeof fetch,
	query: { cursor?: number | null; subject?: string | null; limit?: number }
): Promise<AuditPageResponse> {
	const params = new URLSearchParams();
	if (query.cursor) params.set('cursor', String(query.cursor));
	if (query.subject) params.set('subject', query.subject);
	if (query.limit) params.set('limit', String(query.limit));
	const search = params.size > 0 ? `?${params}` : '';
	return api<AuditPageResponse>(fetcher, `/api/admin/audit${search}`);
}

/** Asks the server to recompute the whole chain; answers which row breaks it, if any. */
export function verifyAudit(fetcher: typeof fetch): Promise<AuditVerifyResponse> {
	return api<AuditVerifyResponse>(fetcher, '/api/admin/audit/verify', { method: 'POST' });
}
