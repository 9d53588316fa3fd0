import { m } from '$lib/paraglide/messages';
import type {
	CertificationOptions,
	CertificationSummary,
	Profile,
	ProfileResponse
} from '$lib/domain/api-types';
import type { CertificationBody, ConsentBody, RequestOf } from '$lib/domain/api-requests';
import type {
	CertificationLevel,
	CertificationMethod,
	DocumentProblem,
	DocumentType
} from '$lib/domain/personal-certification';
import { api, ApiError } from './api';
import { formatDateTime } from './i18n.svelte';
import { idProblemMessage, inviteErrorMessage } from './admin/invites';

// Personal certification in the browser (SPEC PC): the calls, and the words every view uses for
// levels, methods and documents, written once so the profile, the member list and the contract
// form cannot describe the same level differently.

/** What this server offers: consent version, reachable level, provider methods. */
export function certificationOptions(fetcher: typeof fetch): Promise<CertificationOptions> {
	return api<CertificationOptions>(fetcher, '/api/me/certification');
}

/** Records agreement to the consent text of `version`, before anything personal is sent. */
export async function giveConsent(fetcher: typeof fetch, version: string): Promise<Profile> {
	const { profile } = await api<ProfileResponse>(fetcher, '/api/me/consent', {
		method: 'POST',
		json: { version } satisfies RequestOf<typeof ConsentBody>
	});
	return profile;
}

/** Certifies the signed-in user; a provider's "no" arrives as ApiError CERTIFICATION_FAILED. */
export async function certify(
	fetcher: typeof fetch,
	body: RequestOf<typeof CertificationBody>
): Promise<Profile> {
	const { profile } = await api<ProfileResponse>(fetcher, '/api/me/certification', {
		method: 'POST',
		json: body
	});
	return profile;
}

export async function myProfile(fetcher: typeof fetch): Promise<Profile> {
	return (await api<ProfileResponse>(fetcher, '/api/me')).profile;
}

const levelLabels: Record<CertificationLevel, () => string> = {
	'self-declared': m.pc_level_self_declared,
	'checksum-valid': m.pc_level_checksum_valid,
	'provider-verified': m.pc_level_provider_verified
};

export function levelLabel(level: CertificationLevel): string {
	return levelLabels[level]();
}

const methodLabels: Record<CertificationMethod, () => string> = {
	'self-declared': m.pc_method_self_declared,
	'document-checksum': m.pc_method_document_checksum,
	'face-match': m.pc_method_face_match,
	'carrier-three-factor': m.pc_method_carrier,
	'bank-four-factor': m.pc_method_bank
};

export function methodLabel(method: CertificationMethod): string {
	return methodLabels[method]();
}

const documentLabels: Record<DocumentType, () => string> = {
	'resident-id': m.pc_doc_resident_id,
	'hmt-residence-permit': m.pc_doc_hmt_permit,
	passport: m.pc_doc_passport
};

export function documentLabel(type: DocumentType): string {
	return documentLabels[type]();
}

const numberLabels: Record<DocumentType, () => string> = {
	'resident-id': m.details_id_label,
	'hmt-residence-permit': m.pc_number_permit,
	passport: m.pc_number_passport
};

/** The label of the number field for a document type. */
export function numberLabel(type: DocumentType): string {
	return numberLabels[type]();
}

/** How and when a person was certified, in one line ("face match, 2026-12-04 20:00"). */
export function evidenceLine(summary: CertificationSummary): string | null {
	if (!summary.at) return null;
	return m.pc_evidence({ method: methodLabel(summary.method), time: formatDateTime(summary.at) });
}

/** The message for a refused document number, the country included. */
export function documentProblemMessage(reason: DocumentProblem): string {
	return reason === 'COUNTRY' ? m.pc_country_problem() : idProblemMessage(reason);
}

/** inviteErrorMessage, plus the country reason a passport can be refused with. */
export function certificationErrorMessage(error: unknown): string {
	if (error instanceof ApiError && error.code === 'ID_NUMBER_INVALID') {
		if (error.details.reason === 'COUNTRY') return m.pc_country_problem();
	}
	return inviteErrorMessage(error);
}
