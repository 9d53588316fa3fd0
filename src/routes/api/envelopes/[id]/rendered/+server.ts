import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { loadEnvelope, mayRead, renderEnvelope } from '$lib/server/contracts';

export async function GET({ locals, params }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const stored = await loadEnvelope(app.database.db, params.id);
	if (!stored || !mayRead(stored, user)) return apiError('NOT_FOUND', 'No such envelope');
	const rendered = await renderEnvelope(app.database.db, app.blobs, stored.envelope);
	if (!rendered) return apiError('INTERNAL', 'A stored file of this envelope is missing');
	return new Response(rendered.pdf, {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Length': String(rendered.pdf.byteLength),
			// The hash a signer compares with the preview they confirmed.
			'X-Content-SHA256': rendered.sha256,
			'Content-Disposition': 'inline; filename="envelope.pdf"'
		}
	});
}
