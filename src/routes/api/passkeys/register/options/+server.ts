import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { passkeyDeps, registrationOptions, needsPasskeyCheck } from '$lib/server/auth';

// Enrolment needs a session (from the setup link today, an invite code later): a passkey is
// always added to an account someone has already proved they own. Adding a further passkey
// also needs a recent passkey check in this session (/api/session/check).
export async function POST({ locals }) {
	const user = requireUser(locals.user);
	const app = getApp();
	if (locals.session && (await needsPasskeyCheck(app.database.db, locals.session, app.clock))) {
		return apiError(
			'PASSKEY_CHECK_REQUIRED',
			'Confirm with a passkey you already hold before adding another'
		);
	}
	return json(await registrationOptions(passkeyDeps(app), user));
}
