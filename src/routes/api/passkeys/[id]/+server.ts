import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/app';
import { requireUser } from '$lib/server/guards';
import { apiError, readBody } from '$lib/server/http';
import { renamePasskey, revokePasskey } from '$lib/server/passkeys';
import type { PasskeyResponse } from '$lib/domain/api-types';

const RenameBody = v.object({ name: v.pipe(v.string(), v.maxLength(500)) });

export async function PATCH({ locals, params, request }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const body = await readBody(request, RenameBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name }');
	const result = await renamePasskey(getApp().database.db, auth.user.id, params.id, body.name);
	if (!result.ok) return apiError(result.code, result.message);
	const answer: PasskeyResponse = { passkey: result.value };
	return json(answer);
}

export async function DELETE({ locals, params }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	const result = await revokePasskey(app.database.db, app.clock, auth.user.id, params.id);
	if (!result.ok) return apiError(result.code, result.message);
	return json({ ok: true });
}
