import { adminSession } from '$lib/client/admin/page-load';

// The session and role check every admin page needs, made once here; pages read it through
// adminPage(parent, …).
export const load = ({ fetch }) => adminSession(fetch);
