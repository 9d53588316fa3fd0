import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { applicationFile } from '$lib/server/orgs';

/**
 * An application's licence or letter, for its organisation's admins and the operator. Sent as
 * an attachment unless it is an image, so a PDF opens in the browser's viewer, never as a page
 * of this origin.
 */
export async function GET({ locals, params }) {
	const user = requireUser(locals.user);
	if (params.file !== 'licence' && params.file !== 'letter')
		return apiError('NOT_FOUND', 'No such file');
	const app = getApp();
	const file = await applicationFile(app.database.db, app.blobs, user, params.id, params.file);
	if (!file) return apiError('NOT_FOUND', 'No such file');
	return new Response(file.bytes, {
		headers: {
			'Content-Type': file.mediaType,
			'Cache-Control': 'private, no-store',
			'X-Content-Type-Options': 'nosniff',
			'Content-Security-Policy': "default-src 'none'; sandbox",
			'Content-Disposition': `inline; filename="${params.file}.${file.mediaType.split('/')[1]}"`
		}
	});
}
