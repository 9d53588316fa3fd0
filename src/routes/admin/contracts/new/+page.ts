import { adminPage, listOrgUsers } from '$lib/client/admin';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async (me) => ({ me, users: await listOrgUsers(fetch) }));
