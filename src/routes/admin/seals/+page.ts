import { adminPage } from '$lib/client/admin/page-load';
import { loadAdminSeals } from '$lib/client/admin/admin-seals';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, () => loadAdminSeals(fetch), { sealKeepers: true });
