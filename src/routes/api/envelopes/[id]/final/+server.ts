import { getApp } from '$lib/server/platform/app';
import { recordAudit } from '$lib/server/audit';
import { documentResponse } from '$lib/server/contracts';
import { participantFinal } from '$lib/server/finalise';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse } from '$lib/server/platform/http';

/** The signed final PDF (SPEC C4), for every party of the contract and its organisation's admins. */
export async function GET({ locals, params, request }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const final = await participantFinal(app.database.db, user, params.id);
	if (!final.ok) return failureResponse(final);
	const response = await documentResponse(app.blobs, final, request);
	if (!response) return apiError('INTERNAL', 'The final document is missing from storage');
	if (response.status === 200) {
		await recordAudit(app.database.db, app.clock, user.id, {
			kind: 'envelope.downloaded',
			subject: params.id,
			data: { docHash: final.sha256 }
		});
	}
	return response;
}
