import { json } from '@sveltejs/kit';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { confirmLegalRep } from '$lib/server/orgs';
import { LegalRepConfirmBody } from '$lib/domain/api-requests';

/** The representative's passkey confirmation of the issued manifest (SPEC LR4). */
export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, LegalRepConfirmBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { assertion }');
	const app = getApp();
	const result = await confirmLegalRep(
		{ db: app.database.db, clock: app.clock, origin: app.config.origin },
		user,
		body.assertion as AuthenticationResponseJSON
	);
	if (!result.ok) return failureResponse(result);
	return json({ confirmedAt: result.confirmedAt, validUntil: result.validUntil });
}
