import { adminPage } from '$lib/client/admin/page-load';
import { listMembers } from '$lib/client/admin/members';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async (admin) => ({ members: await listMembers(fetch), me: admin.id }));
