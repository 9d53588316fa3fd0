import { adminPage } from '$lib/client/admin/page-load';
import { loadCertification } from '$lib/client/admin/certification';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async () => ({ status: await loadCertification(fetch) }));
