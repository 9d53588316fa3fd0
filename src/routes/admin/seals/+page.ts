import { adminPage, loadAdminSeals } from '$lib/client/admin';

export const load = ({ fetch, parent }) => adminPage(parent, {}, () => loadAdminSeals(fetch));
