import { api, ApiError } from '$lib/client/api';
import { certificationOptions, myProfile } from '$lib/client/certification';
import { loadLegalRepRequest } from '$lib/client/legal-rep';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user) return { state: 'signed-out' as const };
		const [request, profile, options] = await Promise.all([
			loadLegalRepRequest(fetch).catch((error: unknown) => {
				if (error instanceof ApiError && error.code === 'NOT_FOUND') return null;
				throw error;
			}),
			myProfile(fetch),
			certificationOptions(fetch)
		]);
		return { state: 'ready' as const, request, profile, options };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
