import { getApp } from '$lib/server/platform/app';
import { evidenceArchive } from '$lib/server/finalise';
import { requireUser } from '$lib/server/platform/guards';
import { failureResponse } from '$lib/server/platform/http';

/**
 * The contract's evidence archive (docs/evidence.md) for every party and its organisation's
 * admins: what `sealpass verify` and the /verify page check without the server.
 */
export async function GET({ locals, params }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const archive = await evidenceArchive(
		{
			db: app.database.db,
			blobs: app.blobs,
			origin: app.config.origin,
			signingCertificate: app.signing.certificate,
			renderer: `sealpass ${app.version}`
		},
		user,
		params.id
	);
	if (!archive.ok) return failureResponse(archive);
	const name = `${archive.title}${archive.final ? '' : ' (in progress)'} evidence.zip`;
	return new Response(new Uint8Array(archive.bytes), {
		headers: {
			'Content-Type': 'application/zip',
			'Content-Length': String(archive.bytes.byteLength),
			'Cache-Control': 'private, no-store',
			'Content-Disposition': `attachment; filename="evidence.zip"; filename*=UTF-8''${encodeURIComponent(name)}`
		}
	});
}
