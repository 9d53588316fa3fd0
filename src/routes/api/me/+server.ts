import { json } from '@sveltejs/kit';
import { requireUser } from '$lib/server/platform/guards';
import { profileOf } from '$lib/server/auth/profile';
import type { ProfileResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const body: ProfileResponse = { profile: profileOf(auth.user) };
	return json(body);
}
