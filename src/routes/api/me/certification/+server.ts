import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { certificationAnswer, certificationOptions, certify } from '$lib/server/auth';
import type { CertificationOptions } from '$lib/domain/api-types';

export async function GET({ locals }) {
	requireUser(locals.user);
	const body: CertificationOptions = certificationOptions(getApp().identity);
	return json(body);
}

export async function POST({ locals, request }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const deps = { db: app.database.db, clock: app.clock, verifier: app.identity };
	return certificationAnswer(request, user, deps, certify);
}
