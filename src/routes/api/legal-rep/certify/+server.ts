import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { certificationAnswer } from '$lib/server/auth';
import { certifyAsLegalRep } from '$lib/server/orgs';

/** Personal certification as the application's legal representative (SPEC LR3). */
export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const deps = { db: app.database.db, clock: app.clock, verifier: app.identity };
	return certificationAnswer(request, user, deps, certifyAsLegalRep);
}
