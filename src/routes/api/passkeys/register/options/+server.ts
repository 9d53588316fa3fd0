import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/app';
import { requireUser } from '$lib/server/guards';
import { apiError } from '$lib/server/http';
import { passkeyDeps, registrationOptions } from '$lib/server/passkeys';
import { needsPasskeyCheck } from '$lib/server/sessions';

// Enrolment needs a session (from the setup link today, an invite code later): a passkey is
// always added to an account someone has already proved they own. Adding a further passkey
// also needs a recent passkey check in this session (/api/session/check).
export async function POST({ locals }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const app = getApp();
	if (locals.session && (await needsPasskeyCheck(app.database.db, locals.session, app.clock))) {
		return apiError(
			'PASSKEY_CHECK_REQUIRED',
			'Confirm with a passkey you already hold before adding another'
		);
	}
	return json(await registrationOptions(passkeyDeps(app), auth.user));
}
