import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireOperator } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { inviteDeps } from '$lib/server/auth';
import { createOrganisation, listOrganisations, operatorOutbox } from '$lib/server/orgs';
import { NewOrganisationBody } from '$lib/domain/api-requests';
import type { OperatorOrgsResponse, OrganisationCreated } from '$lib/domain/api-types';

/** Every organisation on the server, and the operator's console messages (SPEC OC11). */
export async function GET({ locals }) {
	const app = getApp();
	const operator = await requireOperator(locals.user, app.database.db);
	const body: OperatorOrgsResponse = {
		organisations: await listOrganisations(app.database.db),
		outbox: await operatorOutbox(app.database.db, operator)
	};
	return json(body);
}

/** A new organisation with its first administrator's invitation (SPEC OC11). */
export async function POST({ locals, request }) {
	const app = getApp();
	const operator = await requireOperator(locals.user, app.database.db);
	const body = await readBody(request, NewOrganisationBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name, nameEn?, adminName, adminContact }');
	const result = await createOrganisation(inviteDeps(app), operator, body);
	if (!result.ok) return failureResponse(result);
	const answer: OrganisationCreated = {
		orgId: result.orgId,
		inviteId: result.inviteId,
		expiresAt: result.expiresAt
	};
	return json(answer, { status: 201 });
}
