import { api, ApiError } from '$lib/client/api';
import { listOrgUsers } from '$lib/client/admin/contracts';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const };
		return { state: 'ready' as const, me: user, users: await listOrgUsers(fetch) };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
