import { ApiError } from '$lib/client/api';
import { getContract, getContractDocument } from '$lib/client/admin/contracts';

export async function load({ fetch, params }) {
	try {
		const [contract, bytes] = await Promise.all([
			getContract(fetch, params.id).catch((error) => {
				// A contract uploaded before it had a definition can still be viewed.
				if (error instanceof ApiError && error.code === 'NOT_FOUND') return null;
				throw error;
			}),
			getContractDocument(fetch, params.id)
		]);
		return { state: 'ready' as const, contract, bytes, id: params.id };
	} catch (error) {
		return {
			state: 'error' as const,
			code: error instanceof ApiError ? error.code : ('NETWORK' as const),
			id: params.id
		};
	}
}
