import type { LegalRepEvidenceView } from './api-types';
import { canonicalJson, sha256 } from './canonical';

/*
 * 法定代表人认证 (legal-representative authorisation, SPEC LR): the organisation's legal
 * representative, certified as a person, confirms with their passkey a manifest that authorises
 * the applicant to certify the organisation. Pure, so the server that issues and checks the
 * manifest and the page that shows it read the same words and the same validity.
 */

/** The manifest's type tag: a passkey assertion over it can never pass for a contract's. */
export const LEGAL_REP_MANIFEST_TYPE = 'sealpass/legal-rep-authorisation';

/** What the authorisation is for; one purpose today, named so a later one cannot be confused. */
export const LEGAL_REP_PURPOSE = 'org-certification';

/** The authorisation's life: one calendar year from its issue (LR5). */
export const LEGAL_REP_VALID_YEARS = 1;

/** The document that the legal representative confirms with their passkey (LR4). */
export interface LegalRepManifest {
	type: typeof LEGAL_REP_MANIFEST_TYPE;
	version: 1;
	applicationId: string;
	organisation: { name: string; idNumber: string };
	applicant: { name: string };
	representative: { name: string; idNumberMasked: string };
	purpose: typeof LEGAL_REP_PURPOSE;
	issuedAt: string;
	validUntil: string;
	/** Fresh per issue: two manifests for one application never share a challenge. */
	nonce: string;
}

/** One calendar year after `issuedAt` (29 February rolls to 1 March), as ISO 8601 UTC. */
export function legalRepValidUntil(issuedAt: string): string {
	const at = new Date(issuedAt);
	at.setUTCFullYear(at.getUTCFullYear() + LEGAL_REP_VALID_YEARS);
	return at.toISOString();
}

/** Builds the manifest issued for an application at `issuedAt` (LR4). */
export function legalRepManifest(input: {
	applicationId: string;
	organisation: { name: string; idNumber: string };
	applicantName: string;
	representative: { name: string; idNumberMasked: string };
	issuedAt: string;
	nonce: string;
}): LegalRepManifest {
	return {
		type: LEGAL_REP_MANIFEST_TYPE,
		version: 1,
		applicationId: input.applicationId,
		organisation: { ...input.organisation },
		applicant: { name: input.applicantName },
		representative: { ...input.representative },
		purpose: LEGAL_REP_PURPOSE,
		issuedAt: input.issuedAt,
		validUntil: legalRepValidUntil(input.issuedAt),
		nonce: input.nonce
	};
}

/**
 * The WebAuthn challenge for the manifest: the raw SHA-256 of its canonical JSON (LR4), the same
 * binding a contract's manifest has, so the assertion proves consent to exactly these words.
 */
export async function legalRepChallenge(
	manifest: LegalRepManifest
): Promise<Uint8Array<ArrayBuffer>> {
	return sha256(canonicalJson(manifest));
}

/**
 * Whether a confirmed authorisation still counts at `now` (LR5): it does until its validUntil,
 * and not at or after it; an unconfirmed one never does.
 */
export function legalRepAuthorisationCurrent(expiresAt: string | null, now: string): boolean {
	return expiresAt !== null && Date.parse(now) < Date.parse(expiresAt);
}

/** A name as compared (LR3): full-width forms folded, spacing collapsed, ends trimmed. */
export function foldPersonName(name: string): string {
	return name.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

/**
 * Whether the certified person is the representative the application names (LR3): the keyed
 * hashes of their document numbers are equal and the names read the same once spacing and
 * full-width forms are folded. Both must hold: a name alone is shared by many, and a number with
 * another name is a typing mistake the operator would have to untangle.
 */
export function isNamedRepresentative(
	application: { representative: string; idHash: string | null },
	person: { realName: string | null; idHash: string | null }
): boolean {
	if (!application.idHash || !person.idHash || !person.realName) return false;
	return (
		application.idHash === person.idHash &&
		foldPersonName(application.representative) === foldPersonName(person.realName)
	);
}

/**
 * Whether an application's verification counts at `now` (OC4, LR5): its method produced
 * evidence, and for 法定代表人认证 that evidence is an authorisation still within its year.
 */
export function verificationCounts(
	application: { method: string | null; verifiedAt: string | null; repExpiresAt: string | null },
	now: string
): boolean {
	if (application.verifiedAt === null) return false;
	if (application.method !== 'legal_rep') return true;
	return legalRepAuthorisationCurrent(application.repExpiresAt, now);
}

/** How many characters of a credential id the review shows: enough to tell passkeys apart. */
export const CREDENTIAL_SHORT_CHARS = 8;

/** The evidence of an application's 法定代表人认证 as pages show it (LR6), or null. */
export function legalRepEvidence(
	row: {
		method: string | null;
		representative: string;
		rep_contact: string | null;
		rep_id_masked: string | null;
		rep_manifest: string | null;
		rep_credential_id: string | null;
		rep_confirmed_at: string | null;
		rep_expires_at: string | null;
	},
	now: string
): LegalRepEvidenceView | null {
	if (row.method !== 'legal_rep' || !row.rep_contact) return null;
	const confirmed =
		row.rep_confirmed_at && row.rep_manifest ? parseLegalRepManifest(row.rep_manifest) : null;
	return {
		contact: row.rep_contact,
		idNumberMasked: confirmed?.representative.idNumberMasked ?? row.rep_id_masked ?? '',
		name: confirmed?.representative.name ?? row.representative,
		confirmedAt: row.rep_confirmed_at,
		credentialShort: row.rep_credential_id?.slice(0, CREDENTIAL_SHORT_CHARS) ?? null,
		validUntil: row.rep_expires_at,
		current: legalRepAuthorisationCurrent(row.rep_expires_at, now)
	};
}

/** Reads a stored manifest back; null for anything that is not one (an older or damaged row). */
export function parseLegalRepManifest(text: string): LegalRepManifest | null {
	try {
		const value = JSON.parse(text) as LegalRepManifest;
		return value?.type === LEGAL_REP_MANIFEST_TYPE && value.version === 1 ? value : null;
	} catch {
		return null;
	}
}
