import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { changeMember } from '$lib/server/members';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { MemberChangeBody } from '$lib/domain/api-requests';
import type { MemberChangeResponse } from '$lib/domain/api-types';

/** Changes a member's role, or deactivates or reactivates them (SPEC MB2–MB5). */
export async function PATCH({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, MemberChangeBody);
	if (!body)
		return apiError(
			'BAD_REQUEST',
			'Expected { kind: "role", role } or { kind: "deactivate" | "reactivate" }'
		);
	const app = getApp();
	const result = await changeMember(
		{ db: app.database.db, clock: app.clock },
		user,
		params.id,
		body
	);
	if (!result.ok) return failureResponse(result);
	const answer: MemberChangeResponse = {
		sessionsEnded: result.sessionsEnded,
		ticketsRevoked: result.ticketsRevoked
	};
	return json(answer);
}
