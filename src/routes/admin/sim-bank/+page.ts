import { adminPage } from '$lib/client/admin/page-load';
import { loadSimBank } from '$lib/client/admin/certification';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async () => ({ bank: await loadSimBank(fetch) }));
