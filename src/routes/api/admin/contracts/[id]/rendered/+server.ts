import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { loadEnvelope, renderEnvelope } from '$lib/server/contracts';

/** The document as it stands (original + accepted manifests), for the admin's download. */
export async function GET({ locals, params }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const stored = await loadEnvelope(app.database.db, params.id);
	if (!stored || stored.orgId !== user.org_id) {
		return apiError('NOT_FOUND', 'No such contract');
	}
	const rendered = await renderEnvelope(app.database.db, app.blobs, stored.envelope);
	if (!rendered) return apiError('INTERNAL', 'A stored file of this contract is missing');
	return new Response(rendered.pdf, {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Length': String(rendered.pdf.byteLength),
			'X-Content-SHA256': rendered.sha256,
			'Cache-Control': 'private, no-store',
			'Content-Disposition': `attachment; filename="contract-rendered.pdf"; filename*=UTF-8''${encodeURIComponent(stored.title)}.pdf`
		}
	});
}
