import { adminPage, listInvites, listOutbox } from '$lib/client/admin';

export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async () => {
		const [invites, outbox] = await Promise.all([listInvites(fetch), listOutbox(fetch)]);
		return { invites, outbox };
	});
