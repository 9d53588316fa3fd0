import { api, ApiError } from '$lib/client/api';
import type { ContractsResponse, SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const };
		const { contracts } = await api<ContractsResponse>(fetch, '/api/admin/contracts');
		return { state: 'ready' as const, user, contracts };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
