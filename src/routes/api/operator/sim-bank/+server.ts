import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireOperator } from '$lib/server/platform/guards';
import { apiError, readBody } from '$lib/server/platform/http';
import { SimulatedBank, simulatedBankPage, simulateOrgPayment } from '$lib/server/orgs';
import { SimPaymentBody } from '$lib/domain/api-requests';

// The simulated bank (SPEC OC10): only when the app runs it; a real adapter has no such page.
function simulatedBank() {
	const deps = certDeps();
	const { bank } = deps;
	return bank instanceof SimulatedBank ? { ...deps, bank } : null;
}

/** The simulated bank's ledger, newest first. */
export async function GET({ locals }) {
	const sim = simulatedBank();
	if (!sim) return apiError('NOT_FOUND', 'The bank is not simulated');
	await requireOperator(locals.user, sim.db);
	return json(await simulatedBankPage(sim.bank, sim.db));
}

/** Simulates an organisation paying the platform; the bank then reports it (SPEC OC8). */
export async function POST({ locals, request }) {
	const sim = simulatedBank();
	if (!sim) return apiError('NOT_FOUND', 'The bank is not simulated');
	await requireOperator(locals.user, sim.db);
	const body = await readBody(request, SimPaymentBody);
	const matched = body ? await simulateOrgPayment(sim, body) : null;
	if (matched === null) {
		return apiError('BAD_REQUEST', 'Expected { accountName, account, amount, remark }');
	}
	return json({ matched });
}
