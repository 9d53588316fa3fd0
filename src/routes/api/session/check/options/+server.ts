import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { authenticationOptions, passkeyDeps } from '$lib/server/auth';

/** A passkey check for the signed-in user: the same ceremony as a sign-in. */
export async function POST({ locals }) {
	requireUser(locals.user);
	return json(await authenticationOptions(passkeyDeps(getApp())));
}
