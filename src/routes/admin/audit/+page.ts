import { adminPage } from '$lib/client/admin/page-load';
import { listAudit } from '$lib/client/admin/audit';

export function load({ fetch, url, parent }) {
	// The filter lives in the address, so another page can link to one subject's trail.
	const subject = url.searchParams.get('subject')?.trim() || null;
	return adminPage(parent, { subject }, async () => ({
		page: await listAudit(fetch, { subject })
	}));
}
