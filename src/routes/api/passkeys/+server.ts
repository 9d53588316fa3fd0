import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { listPasskeys } from '$lib/server/auth';
import type { PasskeysResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireUser(locals.user);
	const body: PasskeysResponse = {
		passkeys: await listPasskeys(getApp().database.db, user.id),
		currentId: locals.credentialId
	};
	return json(body);
}
