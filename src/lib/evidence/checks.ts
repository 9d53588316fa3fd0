/*
 * The vocabulary of the evidence report: every check's outcome and the stable codes of the
 * failed ones (SPEC EV), shared by the per-signer and the archive checks.
 */

/** Why a check failed. Stable: scripts and the CLI's exit report key on these. */
export const EVIDENCE_CODES = [
	'ARCHIVE_INVALID',
	'MANIFEST_INVALID',
	'ENVELOPE_MISMATCH',
	'DOC_HASH_MISMATCH',
	'CLIENT_DATA_INVALID',
	'CHALLENGE_MISMATCH',
	'RP_ID_MISMATCH',
	'FLAGS_MISSING',
	'ASSERTION_INVALID',
	'TICKET_MISMATCH',
	'SEAL_MISMATCH',
	'IMAGE_MISSING',
	'IMAGE_MISMATCH',
	'RENDER_MISMATCH',
	'PDF_SIGNATURE_INVALID',
	'CHAIN_BROKEN',
	'AUDIT_MISMATCH'
] as const;

export type EvidenceCode = (typeof EVIDENCE_CODES)[number];

/** One check: passed, failed with a code, or not made and why not. */
export type EvidenceCheck = { name: string; rule: string; detail: string } & (
	{ status: 'passed' } | { status: 'failed'; code: EvidenceCode } | { status: 'not-checked' }
);

export const passed = (name: string, rule: string, detail: string): EvidenceCheck => ({
	name,
	rule,
	detail,
	status: 'passed'
});
export const failed = (
	name: string,
	rule: string,
	code: EvidenceCode,
	detail: string
): EvidenceCheck => ({
	name,
	rule,
	detail,
	code,
	status: 'failed'
});
export const skipped = (name: string, rule: string, detail: string): EvidenceCheck => ({
	name,
	rule,
	detail,
	status: 'not-checked'
});
