import { api, ApiError } from '$lib/client/api';
import { certificationOptions, myProfile } from '$lib/client/certification';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user) return { state: 'signed-out' as const };
		const [profile, options] = await Promise.all([myProfile(fetch), certificationOptions(fetch)]);
		return { state: 'ready' as const, profile, options };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
