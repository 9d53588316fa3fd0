import { adminPage } from '$lib/client/admin/page-load';
import { listOrgUsers } from '$lib/client/admin/contracts';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async (me) => ({ me, users: await listOrgUsers(fetch) }));
