import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { recordAudit } from '$lib/server/audit';
import {
	contractDocument,
	documentResponse,
	replaceDocument,
	contractDeps
} from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, bodyTooLarge } from '$lib/server/platform/http';
import type { ContractReplaced } from '$lib/domain/api-types';

export async function GET({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const doc = await contractDocument(app.database.db, user.org_id, params.id);
	const response = doc && (await documentResponse(app.blobs, doc, request));
	if (!response) return apiError('NOT_FOUND', 'No such contract');
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

/** Replaces the document with a new revision; the body is the raw PDF. */
export async function PUT({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	let bytes: Uint8Array;
	try {
		bytes = new Uint8Array(await request.arrayBuffer());
	} catch (error) {
		if (bodyTooLarge(error)) return apiError('PDF_TOO_LARGE', 'The upload is too large');
		return apiError('BAD_REQUEST', 'The upload was cut off');
	}
	const result = await replaceDocument(contractDeps(getApp()), user, params.id, bytes);
	if (!result.ok) return failureResponse(result);
	const body: ContractReplaced = { revision: result.revision, dropped: result.dropped };
	return json(body);
}
