import { getApp } from '$lib/server/platform/app';
import { recordAudit } from '$lib/server/audit';
import { documentResponse, participantDocument } from '$lib/server/contracts';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';

export async function GET({ locals, params, request }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const doc = await participantDocument(app.database.db, user, params.id);
	const response = doc && (await documentResponse(app.blobs, doc, request));
	if (!response) return apiError('NOT_FOUND', 'No such envelope');
	// Only a body sent counts as a download; a 304 revalidation hands over nothing new.
	if (response.status === 200) {
		await recordAudit(app.database.db, app.clock, user.id, {
			kind: 'envelope.downloaded',
			subject: params.id,
			data: { docHash: doc.sha256 }
		});
	}
	return response;
}
