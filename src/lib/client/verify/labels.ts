import { m } from '$lib/paraglide/messages';
import type { EvidenceCode } from '$lib/evidence/verify';
import type { PdfSignatureProblem } from '$lib/pdf/pdf-signature';
import type { VerifyInputError, VerifyStep } from './protocol';

/*
 * The words for the verifier's codes, one map each: a Record over the code type makes svelte-check
 * fail when the verifier gains a code nobody has put into words.
 */

type Message = () => string;

export const EVIDENCE_CODE_MESSAGES: Record<EvidenceCode, Message> = {
	ARCHIVE_INVALID: m.verify_evidence_ARCHIVE_INVALID,
	MANIFEST_INVALID: m.verify_evidence_MANIFEST_INVALID,
	ENVELOPE_MISMATCH: m.verify_evidence_ENVELOPE_MISMATCH,
	DOC_HASH_MISMATCH: m.verify_evidence_DOC_HASH_MISMATCH,
	CLIENT_DATA_INVALID: m.verify_evidence_CLIENT_DATA_INVALID,
	CHALLENGE_MISMATCH: m.verify_evidence_CHALLENGE_MISMATCH,
	RP_ID_MISMATCH: m.verify_evidence_RP_ID_MISMATCH,
	FLAGS_MISSING: m.verify_evidence_FLAGS_MISSING,
	ASSERTION_INVALID: m.verify_evidence_ASSERTION_INVALID,
	TICKET_MISMATCH: m.verify_evidence_TICKET_MISMATCH,
	SEAL_MISMATCH: m.verify_evidence_SEAL_MISMATCH,
	IMAGE_MISSING: m.verify_evidence_IMAGE_MISSING,
	IMAGE_MISMATCH: m.verify_evidence_IMAGE_MISMATCH,
	RENDER_MISMATCH: m.verify_evidence_RENDER_MISMATCH,
	PDF_SIGNATURE_INVALID: m.verify_evidence_PDF_SIGNATURE_INVALID,
	CHAIN_BROKEN: m.verify_evidence_CHAIN_BROKEN,
	AUDIT_MISMATCH: m.verify_evidence_AUDIT_MISMATCH
};

export const PDF_PROBLEM_MESSAGES: Record<PdfSignatureProblem, Message> = {
	NO_SIGNATURE: m.verify_pdf_NO_SIGNATURE,
	BYTE_RANGE_INVALID: m.verify_pdf_BYTE_RANGE_INVALID,
	CMS_INVALID: m.verify_pdf_CMS_INVALID,
	DIGEST_MISMATCH: m.verify_pdf_DIGEST_MISMATCH,
	SIGNATURE_INVALID: m.verify_pdf_SIGNATURE_INVALID,
	SIGNER_CERT_MISSING: m.verify_pdf_SIGNER_CERT_MISSING,
	NOT_WHOLE_FILE: m.verify_pdf_NOT_WHOLE_FILE,
	TIMESTAMP_INVALID: m.verify_pdf_TIMESTAMP_INVALID,
	UNSUPPORTED: m.verify_pdf_UNSUPPORTED
};

/** A PDF problem code in words; the code itself for one this build does not know. */
export function pdfProblemMessage(code: string): string {
	return code in PDF_PROBLEM_MESSAGES ? PDF_PROBLEM_MESSAGES[code as PdfSignatureProblem]() : code;
}

export const STEP_MESSAGES: Record<VerifyStep, Message> = {
	reading: m.verify_step_reading,
	font: m.verify_step_font,
	evidence: m.verify_step_evidence,
	'pdf-signature': m.verify_step_pdf_signature
};

export function inputErrorMessage(error: VerifyInputError, detail: string | null): string {
	const d = { detail: detail ?? '' };
	switch (error) {
		case 'NOT_PDF':
			return m.verify_error_NOT_PDF();
		case 'NOT_ZIP':
			return m.verify_error_NOT_ZIP();
		case 'ARCHIVE_INVALID':
			return m.verify_error_ARCHIVE_INVALID(d);
		case 'CRASHED':
			return m.verify_error_CRASHED(d);
	}
}
