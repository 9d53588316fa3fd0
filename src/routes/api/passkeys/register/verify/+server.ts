import { json } from '@sveltejs/kit';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import {
	bindSessionCredential,
	sessionCookieName,
	passkeyDeps,
	verifyRegistration
} from '$lib/server/auth';
import type { PasskeyResponse } from '$lib/domain/api-types';
import { PasskeyRegisterBody } from '$lib/domain/api-requests';

export async function POST({ locals, request, cookies, url }) {
	const user = requireUser(locals.user);
	const body = await readBody(request, PasskeyRegisterBody);
	if (!body) return apiError('BAD_REQUEST', 'Malformed registration response');
	const result = await verifyRegistration(
		passkeyDeps(getApp()),
		user,
		body.response as RegistrationResponseJSON,
		body.name
	);
	if (!result.ok) return failureResponse(result);
	const token = cookies.get(sessionCookieName(url));
	if (token && locals.credentialId === null) {
		await bindSessionCredential(getApp().database.db, token, result.value.id, getApp().clock);
	}
	const answer: PasskeyResponse = { passkey: result.value };
	return json(answer, { status: 201 });
}
