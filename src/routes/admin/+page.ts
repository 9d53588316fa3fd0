import { api } from '$lib/client/api';
import { adminPage } from '$lib/client/admin/page-load';
import type { ContractsResponse } from '$lib/domain/api-types';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async (user) => {
		const { contracts } = await api<ContractsResponse>(fetch, '/api/admin/contracts');
		return { user, contracts };
	});
