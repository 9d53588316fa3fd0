import { ApiError } from '$lib/client/api';
import { getContract, getContractDocument, listTemplates } from '$lib/client/admin/contracts';

export async function load({ fetch, params }) {
	try {
		const [contract, bytes, templates] = await Promise.all([
			getContract(fetch, params.id),
			getContractDocument(fetch, params.id),
			listTemplates(fetch)
		]);
		return { state: 'ready' as const, contract, bytes, templates };
	} catch (error) {
		return {
			state: 'error' as const,
			code: error instanceof ApiError ? error.code : ('INTERNAL' as const),
			id: params.id
		};
	}
}
