import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { inviteDeps } from '$lib/server/auth';
import { issueRecovery } from '$lib/server/recovery';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { RecoveryBody } from '$lib/domain/api-requests';
import type { InviteCreated } from '$lib/domain/api-types';

/** Issues a re-enrolment link for a member who lost their passkey (SPEC RC1). */
export async function POST({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, RecoveryBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { keepPasskeys?: boolean }');
	const result = await issueRecovery(inviteDeps(getApp()), user, params.id, body);
	if (!result.ok) return failureResponse(result);
	const answer: InviteCreated = {
		inviteId: result.inviteId,
		link: result.link,
		expiresAt: result.expiresAt
	};
	return json(answer);
}
