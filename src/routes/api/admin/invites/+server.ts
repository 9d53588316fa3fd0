import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { createInvite, listInvites, inviteDeps } from '$lib/server/auth';
import type { InviteCreated, InvitesResponse } from '$lib/domain/api-types';
import { InviteBody } from '$lib/domain/api-requests';

export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const app = getApp();
	const body: InvitesResponse = { invites: await listInvites(inviteDeps(app), user.org_id) };
	return json(body);
}

export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, InviteBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { name, contact }');
	const result = await createInvite(inviteDeps(getApp()), user, body);
	if (!result.ok) return failureResponse(result);
	const answer: InviteCreated = {
		inviteId: result.inviteId,
		link: result.link,
		expiresAt: result.expiresAt
	};
	return json(answer, { status: 201 });
}
