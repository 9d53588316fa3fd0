import { adminPage } from '$lib/client/admin/page-load';
import { listInvites, listOutbox } from '$lib/client/admin/invites';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async () => {
		const [invites, outbox] = await Promise.all([listInvites(fetch), listOutbox(fetch)]);
		return { invites, outbox };
	});
