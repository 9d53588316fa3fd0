import { m } from '$lib/paraglide/messages';
import { api } from '../api';
import type {
	OrgCertQueueResponse,
	OrgCertStatusResponse,
	SimBankResponse
} from '$lib/domain/api-types';
import type {
	CertDecisionBody,
	DepositAccountBody,
	DepositAnswerBody,
	LegalRepRequestBody,
	RequestOf,
	SimPaymentBody
} from '$lib/domain/api-requests';
import type { CertState, OrgType, VerifyMethod } from '$lib/domain/org-certification';

// The certification pages' requests and the words they show for the domain's codes.

export const certStateLabel: Record<CertState, () => string> = {
	uncertified: m.orgcert_state_uncertified,
	pending: m.orgcert_state_pending,
	certified: m.orgcert_state_certified,
	rejected: m.orgcert_state_rejected
};

export const orgTypeLabel: Record<OrgType, () => string> = {
	enterprise: m.orgcert_type_enterprise,
	individual_business: m.orgcert_type_individual_business,
	public_institution: m.orgcert_type_public_institution,
	social_organisation: m.orgcert_type_social_organisation,
	overseas: m.orgcert_type_overseas
};

export const methodLabel: Record<VerifyMethod, () => string> = {
	deposit_platform: m.orgcert_method_deposit_platform,
	deposit_org: m.orgcert_method_deposit_org,
	letter: m.orgcert_method_letter,
	legal_rep: m.orgcert_method_legal_rep
};

/** Who represents an organisation of this type, as the form's label says it. */
export const representativeLabel = {
	legal_representative: m.orgcert_rep_legal,
	operator: m.orgcert_rep_operator,
	head: m.orgcert_rep_head
} as const;

export function loadCertification(fetcher: typeof fetch) {
	return api<OrgCertStatusResponse>(fetcher, '/api/admin/certification');
}

/** 申请认证: the form's fields and the licence file as multipart. */
export function applyForCertification(form: FormData) {
	return api<{ id: string; usccVerdict: string }>(fetch, '/api/admin/certification', {
		method: 'POST',
		body: form
	});
}

export function sendDeposit(account: RequestOf<typeof DepositAccountBody>) {
	return api(fetch, '/api/admin/certification/deposit', { method: 'POST', json: account });
}

export function confirmDeposit(amount: string) {
	return api(fetch, '/api/admin/certification/deposit/confirm', {
		method: 'POST',
		json: { amount } satisfies RequestOf<typeof DepositAnswerBody>
	});
}

export function startRemittance() {
	return api<{ remarkCode: string }>(fetch, '/api/admin/certification/remittance', {
		method: 'POST'
	});
}

export function uploadLetter(file: File) {
	return api(fetch, '/api/admin/certification/letter', {
		method: 'POST',
		headers: { 'Content-Type': 'application/octet-stream' },
		body: file
	});
}

/** 法定代表人认证: the link and code go to the legal representative (SPEC LR1). */
export function requestLegalRep(body: RequestOf<typeof LegalRepRequestBody>) {
	return api(fetch, '/api/admin/certification/legal-rep', { method: 'POST', json: body });
}

/** Where an application's licence or letter opens (its organisation's admins, the operator). */
export function applicationFileUrl(id: string, file: 'licence' | 'letter'): string {
	return `/api/admin/certification/${encodeURIComponent(id)}/${file}`;
}

export function loadCertQueue(fetcher: typeof fetch) {
	return api<OrgCertQueueResponse>(fetcher, '/api/operator/certifications');
}

export function decideCertification(id: string, decision: RequestOf<typeof CertDecisionBody>) {
	return api(fetch, `/api/operator/certifications/${encodeURIComponent(id)}`, {
		method: 'POST',
		json: decision
	});
}

export function loadSimBank(fetcher: typeof fetch) {
	return api<SimBankResponse>(fetcher, '/api/operator/sim-bank');
}

export function simulatePayment(payment: RequestOf<typeof SimPaymentBody>) {
	return api<{ matched: boolean }>(fetch, '/api/operator/sim-bank', {
		method: 'POST',
		json: payment
	});
}
