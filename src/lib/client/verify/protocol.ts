import type { FontResolution } from '$lib/evidence/font';
import type { EvidenceReport } from '$lib/evidence/verify';
import type { PdfSignatureReport } from '$lib/pdf/pdf-signature';

/*
 * What the verify page and its worker say to each other. One owner for the shapes, so the page
 * and the worker cannot drift apart.
 */

/** The files the visitor picked; either may be missing, not both. */
export interface VerifyRequest {
	pdf: Uint8Array | null;
	archive: Uint8Array | null;
	/** A font file the visitor picked, for an archive whose font this site could not give. */
	font: Uint8Array | null;
}

/** Where the check is, for the progress line. */
export type VerifyStep = 'reading' | 'font' | 'evidence' | 'pdf-signature';

/** Why the archive was not verified: the font its dates were drawn with is not at hand. */
export type FontRefusal = Exclude<FontResolution, { ok: true }>;

/** Why nothing could be checked: the visitor gave files that are not what they said. */
export type VerifyInputError = 'NOT_PDF' | 'NOT_ZIP' | 'ARCHIVE_INVALID' | 'CRASHED';

export type VerifyOutcome =
	| { kind: 'error'; error: VerifyInputError; detail: string | null }
	/** Nothing verified: the named font is missing or another; `picked` when the visitor gave it. */
	| { kind: 'font'; refusal: FontRefusal; picked: boolean }
	/** Archive given: the full report; `pdfGiven` says whether the visitor's own PDF was judged. */
	| { kind: 'evidence'; report: EvidenceReport; pdfGiven: boolean }
	/** PDF alone: only its PAdES signature can be judged. */
	| { kind: 'pdf'; signature: PdfSignatureReport };

export type VerifyMessage =
	{ type: 'progress'; step: VerifyStep } | { type: 'done'; outcome: VerifyOutcome };

/** The first bytes of a PDF ("%PDF-" within its first KiB, as readers accept it). */
export function looksLikePdf(bytes: Uint8Array): boolean {
	const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
	return head.includes('%PDF-');
}

/** A zip starts with a local file header (or is an empty zip's end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
	return (
		bytes.length >= 4 &&
		bytes[0] === 0x50 &&
		bytes[1] === 0x4b &&
		((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))
	);
}
