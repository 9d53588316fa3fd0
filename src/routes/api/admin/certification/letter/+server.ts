import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse } from '$lib/server/platform/http';
import { uploadLetter } from '$lib/server/orgs';
import { readCapped } from '$lib/server/seals';
import { LICENCE_MAX_BYTES } from '$lib/domain/org-certification';

/** The stamped authorisation letter as the raw body, read no further than 5 MB (SPEC OC9). */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const bytes = await readCapped(request, LICENCE_MAX_BYTES);
	if (!bytes) return apiError('LICENCE_TOO_LARGE', 'The file may have at most 5 MB');
	const result = await uploadLetter(certDeps(), user, bytes);
	if (!result.ok) return failureResponse(result);
	return json({});
}
