import { adminPage } from '$lib/client/admin/page-load';
import { listInvites, listOutbox } from '$lib/client/admin/invites';
import { listOrgUsers } from '$lib/client/admin/contracts';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async () => {
		const [invites, outbox, members] = await Promise.all([
			listInvites(fetch),
			listOutbox(fetch),
			listOrgUsers(fetch)
		]);
		return { invites, outbox, members };
	});
