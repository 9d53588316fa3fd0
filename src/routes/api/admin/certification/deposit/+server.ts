import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readBody } from '$lib/server/platform/http';
import { startPlatformDeposit } from '$lib/server/orgs';
import { DepositAccountBody } from '$lib/domain/api-requests';

/** 对公打款, platform pays: sends a new random amount to the account (SPEC OC6, OC7). */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const body = await readBody(request, DepositAccountBody);
	if (!body) return apiError('BAD_REQUEST', 'Expected { bank, branch, account, cnaps }');
	const result = await startPlatformDeposit(certDeps(), user, body);
	if (!result.ok) return failureResponse(result);
	return json({ sentAt: result.sentAt });
}
