import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/app';
import { requireUser } from '$lib/server/guards';
import { passkeyDeps, registrationOptions } from '$lib/server/passkeys';

// Enrolment needs a session (from the setup link today, an invite code later): a passkey is
// always added to an account someone has already proved they own.
export async function POST({ locals }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	return json(await registrationOptions(passkeyDeps(getApp()), auth.user));
}
