import { getApp } from '$lib/server/app';
import { contractDocument } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/guards';
import { apiError } from '$lib/server/http';

export async function GET({ locals, params }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	const doc = await contractDocument(app.database.db, auth.user.org_id, params.id);
	const bytes = doc && (await app.blobs.get(doc.sha256));
	if (!doc || !bytes) return apiError('NOT_FOUND', 'No such contract');
	return new Response(bytes, {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Length': String(bytes.byteLength),
			ETag: `"${doc.sha256}"`,
			'Content-Disposition': `inline; filename="contract.pdf"; filename*=UTF-8''${encodeURIComponent(doc.title)}.pdf`
		}
	});
}
