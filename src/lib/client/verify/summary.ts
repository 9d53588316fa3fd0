import { m } from '$lib/paraglide/messages';
import { PDF_SIGNATURE_PROBLEMS } from '$lib/pdf/pdf-signature';
import { EVIDENCE_CODE_MESSAGES, inputErrorMessage, pdfProblemMessage } from './labels';
import type { VerifyOutcome } from './protocol';

/*
 * The verdict a visitor reads first, from a check's outcome. Kept apart from the components so
 * the rules (what counts as valid, what as only partly checked) have one owner.
 */

export type Verdict = 'valid' | 'partial' | 'invalid' | 'error';

export interface VerdictSummary {
	verdict: Verdict;
	headline: string;
	/** Reasons and notes under the headline, each a sentence. */
	lines: string[];
}

/** The two checks without which "valid" would say nothing about the file in hand. */
const FILE_CHECKS = new Set(['render', 'pdf-signature']);

/** Tampering shows as one of these: the signed bytes differ, or bytes were added after them. */
const CHANGED: readonly string[] = [
	PDF_SIGNATURE_PROBLEMS.DIGEST_MISMATCH,
	PDF_SIGNATURE_PROBLEMS.NOT_WHOLE_FILE
];

export function summarise(outcome: VerifyOutcome): VerdictSummary {
	if (outcome.kind === 'error') {
		return {
			verdict: 'error',
			headline: inputErrorMessage(outcome.error, outcome.detail),
			lines: []
		};
	}
	if (outcome.kind === 'font') {
		const { expected, actual } = outcome.refusal;
		const lines = [m.verify_font_expected({ ...expected, size: String(expected.size) })];
		if (actual) lines.push(m.verify_font_actual({ ...actual, size: String(actual.size) }));
		if (expected.sources.length) {
			lines.push(m.verify_font_sources({ sources: expected.sources.join(', ') }));
		}
		return {
			verdict: 'error',
			headline:
				outcome.refusal.reason === 'missing' ? m.verify_font_missing() : m.verify_font_mismatch(),
			lines
		};
	}
	if (outcome.kind === 'evidence') {
		const { report } = outcome;
		if (report.verdict === 'invalid') {
			return {
				verdict: 'invalid',
				headline: m.verify_invalid(),
				lines: report.codes.map((code) => `${EVIDENCE_CODE_MESSAGES[code]()} (${code})`)
			};
		}
		const fileUnchecked = report.checks.some(
			(c) => FILE_CHECKS.has(c.name) && c.status === 'not-checked'
		);
		return fileUnchecked
			? { verdict: 'partial', headline: m.verify_partial(), lines: [] }
			: { verdict: 'valid', headline: m.verify_valid(), lines: [] };
	}
	const { signature } = outcome;
	if (!signature.present) {
		return { verdict: 'invalid', headline: m.verify_no_signature(), lines: [] };
	}
	const problems = signature.problems.map((code) => `${pdfProblemMessage(code)} (${code})`);
	if (signature.problems.some((code) => CHANGED.includes(code))) {
		return { verdict: 'invalid', headline: m.verify_changed(), lines: problems };
	}
	if (!signature.valid || problems.length > 0) {
		return { verdict: 'invalid', headline: m.verify_pdf_problems(), lines: problems };
	}
	return {
		verdict: 'partial',
		headline: m.verify_pdf_valid(),
		lines: [m.verify_pdf_needs_archive()]
	};
}

/**
 * The contract id the checked files name, to compare with the link's `?doc=`: the archive's when
 * there is one (it is what the verdict is about), else the PDF certificate's.
 */
export function checkedContractId(
	outcome: VerifyOutcome | null,
	pdfContractId: string | null
): string | null {
	return outcome?.kind === 'evidence' ? outcome.report.envelope.id : pdfContractId;
}
