import { adminPage } from '$lib/client/admin/page-load';
import { loadCertQueue } from '$lib/client/admin/certification';

export const load = ({ fetch, parent }) => adminPage(parent, {}, () => loadCertQueue(fetch));
