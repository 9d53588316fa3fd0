import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { changeDeadline, contractDeps } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { DeadlineBody } from '$lib/domain/api-requests';

/** Sets a draft's deadline or extends a sent contract's (SPEC DL5). */
export async function PUT({ locals, params, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, DeadlineBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { deadline: "YYYY-MM-DD" | null }');
	const result = await changeDeadline(contractDeps(getApp()), user, params.id, body.deadline);
	if (!result.ok) return failureResponse(result);
	const { ok: _ok, ...changed } = result;
	return json(changed);
}
