import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireSealKeeper } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { createSeal, listOrgSeals, organisationName } from '$lib/server/seals';
import { orgCertState } from '$lib/server/orgs';
import type { AdminSealsResponse } from '$lib/domain/api-types';
import { SealBody } from '$lib/domain/api-requests';

export async function GET({ locals }) {
	const user = requireSealKeeper(locals.user);
	const { db } = getApp().database;
	const body: AdminSealsResponse = {
		seals: await listOrgSeals(db, user.org_id),
		organisation: {
			name: await organisationName(db, user.org_id),
			certState: await orgCertState(db, user.org_id)
		}
	};
	return json(body);
}

export async function POST({ locals, request }) {
	const user = requireSealKeeper(locals.user);
	const body = await readBody(request, SealBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name, spec }');
	const app = getApp();
	const result = await createSeal(
		{ db: app.database.db, blobs: app.blobs, clock: app.clock },
		user,
		body
	);
	if (!result.ok) return failureResponse(result);
	return json({ id: result.id, image: result.image }, { status: 201 });
}
