import { ApiError } from '$lib/client/api';
import { adminPage } from '$lib/client/admin/page-load';
import { getContract, getContractDocument } from '$lib/client/admin/contracts';

export const load = ({ fetch, params, parent }) =>
	adminPage(parent, { id: params.id }, async () => {
		const [contract, bytes] = await Promise.all([
			getContract(fetch, params.id).catch((error) => {
				// A contract uploaded before it had a definition can still be viewed.
				if (error instanceof ApiError && error.code === 'NOT_FOUND') return null;
				throw error;
			}),
			getContractDocument(fetch, params.id)
		]);
		return { contract, bytes };
	});
