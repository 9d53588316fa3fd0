import { adminPage } from '$lib/client/admin/page-load';
import { getContract, getContractDocument, listTemplates } from '$lib/client/admin/contracts';

export const load = ({ fetch, params, parent }) =>
	adminPage(parent, { id: params.id }, async () => {
		const [contract, bytes, templates] = await Promise.all([
			getContract(fetch, params.id),
			getContractDocument(fetch, params.id),
			listTemplates(fetch)
		]);
		return { contract, bytes, templates };
	});
