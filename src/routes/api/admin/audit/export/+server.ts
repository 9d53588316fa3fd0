import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { exportAudit } from '$lib/server/audit';
import { requireAdmin } from '$lib/server/platform/guards';

/**
 * The organisation's audit export with the signed head (SPEC A11), as a file to keep: a later
 * log that no longer reaches this head shows a cut to anyone holding the file.
 */
export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const body = await exportAudit(app.database.db, app.clock, user.org_id);
	return json(body, {
		headers: {
			'Content-Disposition': `attachment; filename="sealpass-audit-${body.exportedAt.slice(0, 10)}.json"`
		}
	});
}
