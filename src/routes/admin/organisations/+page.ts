import { ApiError } from '$lib/client/api';
import { adminPage } from '$lib/client/admin/page-load';
import { loadOrganisations } from '$lib/client/admin/organisations';

// Only the platform operator gets the list. Another administrator is told the page is the
// operator's, not sent to sign in again as a refused admin page otherwise would.
export const load = ({ fetch, parent }) =>
	adminPage(parent, {}, async () => {
		try {
			return { operatorOnly: false, ...(await loadOrganisations(fetch)) };
		} catch (error) {
			if (error instanceof ApiError && error.code === 'FORBIDDEN') {
				return { operatorOnly: true, organisations: [], outbox: [] };
			}
			throw error;
		}
	});
