import { api, ApiError } from '$lib/client/api';
import { loadAdminSeals } from '$lib/client/admin/admin-seals';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const };
		return { state: 'ready' as const, ...(await loadAdminSeals(fetch)) };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
