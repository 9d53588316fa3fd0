import { ApiError } from '$lib/client/api';

export async function load({ fetch, params }) {
	try {
		const response = await fetch(`/api/admin/contracts/${encodeURIComponent(params.id)}/document`);
		if (!response.ok) {
			const body = await response.json().catch(() => null);
			return { state: 'error' as const, code: body?.error?.code ?? 'INTERNAL', id: params.id };
		}
		return {
			state: 'ready' as const,
			bytes: new Uint8Array(await response.arrayBuffer()),
			id: params.id
		};
	} catch (error) {
		return {
			state: 'error' as const,
			code: error instanceof ApiError ? error.code : 'NETWORK',
			id: params.id
		};
	}
}
