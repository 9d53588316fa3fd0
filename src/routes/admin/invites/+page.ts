import { api, ApiError } from '$lib/client/api';
import { listInvites, listOutbox } from '$lib/client/admin/invites';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const };
		const [invites, outbox] = await Promise.all([listInvites(fetch), listOutbox(fetch)]);
		return { state: 'ready' as const, invites, outbox };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
