import { api, ApiError } from '$lib/client/api';
import { listAudit } from '$lib/client/admin/audit';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch, url }) {
	// The filter lives in the address, so another page can link to one subject's trail.
	const subject = url.searchParams.get('subject')?.trim() || null;
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const, subject };
		const page = await listAudit(fetch, { subject });
		return { state: 'ready' as const, subject, page };
	} catch (error) {
		return { state: 'error' as const, subject, error: error instanceof ApiError ? error : null };
	}
}
