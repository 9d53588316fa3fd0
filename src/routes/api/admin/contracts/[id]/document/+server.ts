import { getApp } from '$lib/server/app';
import { recordAudit } from '$lib/server/audit';
import { contractDocument, documentResponse } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/guards';
import { apiError } from '$lib/server/http';

export async function GET({ locals, params, request }) {
	const auth = requireAdmin(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	const doc = await contractDocument(app.database.db, auth.user.org_id, params.id);
	const response = doc && (await documentResponse(app.blobs, doc, request));
	if (!response) return apiError('NOT_FOUND', 'No such contract');
	// Only a body sent counts as a download; a 304 revalidation hands over nothing new.
	if (response.status === 200) {
		await recordAudit(app.database.db, app.clock, auth.user.id, {
			kind: 'envelope.downloaded',
			subject: params.id,
			data: { docHash: doc.sha256 }
		});
	}
	return response;
}
