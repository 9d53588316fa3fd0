import { json } from '@sveltejs/kit';
import { certDeps } from '$lib/server/platform/app';
import { requireOperator } from '$lib/server/platform/guards';
import { apiError, readBody } from '$lib/server/platform/http';
import { noteOrgPayment, SimulatedBank } from '$lib/server/orgs';
import { SimPaymentBody } from '$lib/domain/api-requests';
import { formatCents, parseYuanToCents } from '$lib/domain/org-certification';
import type { SimBankResponse } from '$lib/domain/api-types';

// The simulated bank (SPEC OC10): only when the app runs it; a real adapter has no such page.
function simulatedBank() {
	const deps = certDeps();
	return deps.bank instanceof SimulatedBank ? { deps, bank: deps.bank } : null;
}

/** The simulated bank's ledger, newest first. */
export async function GET({ locals }) {
	const sim = simulatedBank();
	if (!sim) return apiError('NOT_FOUND', 'The bank is not simulated');
	await requireOperator(locals.user, sim.deps.db);
	const body: SimBankResponse = {
		simulated: true,
		platformAccount: sim.bank.platformAccount(),
		transfers: (await sim.bank.ledger(sim.deps.db)).map((t) => ({
			id: t.id,
			direction: t.direction,
			account: t.account,
			accountName: t.accountName,
			amount: formatCents(t.amountCents),
			remark: t.remark,
			createdAt: t.createdAt
		}))
	};
	return json(body);
}

/** Simulates an organisation paying the platform; the bank then reports it (SPEC OC8). */
export async function POST({ locals, request }) {
	const sim = simulatedBank();
	if (!sim) return apiError('NOT_FOUND', 'The bank is not simulated');
	await requireOperator(locals.user, sim.deps.db);
	const body = await readBody(request, SimPaymentBody);
	const cents = body ? parseYuanToCents(body.amount) : null;
	if (!body || cents === null || cents === 0) {
		return apiError('BAD_REQUEST', 'Expected { accountName, account, amount, remark }');
	}
	await sim.bank.receive(sim.deps.db, body, cents, body.remark.trim());
	const matched = await noteOrgPayment(sim.deps, body.remark);
	return json({ matched });
}
