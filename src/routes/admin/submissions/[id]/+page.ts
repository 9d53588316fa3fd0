import { api, ApiError } from '$lib/client/api';
import { fetchReviewDetail } from '$lib/client/admin/review';
import type { SessionResponse } from '$lib/domain/api-types';

export async function load({ fetch, params }) {
	try {
		const { user } = await api<SessionResponse>(fetch, '/api/session');
		if (!user || user.role !== 'admin') return { state: 'signed-out' as const };
		return { state: 'ready' as const, detail: await fetchReviewDetail(fetch, params.id) };
	} catch (error) {
		return { state: 'error' as const, error: error instanceof ApiError ? error : null };
	}
}
