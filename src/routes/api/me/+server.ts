import { json } from '@sveltejs/kit';
import { requireUser } from '$lib/server/platform/guards';
import { profileOf } from '$lib/server/auth';
import type { ProfileResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireUser(locals.user);
	const body: ProfileResponse = { profile: profileOf(user) };
	return json(body);
}
