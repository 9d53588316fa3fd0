import { api, ApiError } from '$lib/client/api';
import { listPasskeys } from '$lib/client/passkeys';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user) return { state: 'signed-out' as const };
		const { passkeys, currentId } = await listPasskeys(fetch);
		return { state: 'ready' as const, user, passkeys, currentId };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
