/**
 * The limits and answer shapes of PDF inspection, without the parser: the browser page that
 * starts the inspection worker, and the Node process that starts the worker thread, import only
 * this, so @cantoo/pdf-lib (about 1 MB) is loaded by the worker alone.
 */
import type { ErrorCode } from '../domain/errors';

export interface PdfLimits {
	/** Largest accepted file, in bytes. */
	maxBytes?: number;
	/** Most pages accepted. */
	maxPages?: number;
}

/** 50 MB and 2000 pages: far above real contracts, low enough to bound parse memory and time. */
export const DEFAULT_PDF_LIMITS: Readonly<Required<PdfLimits>> = Object.freeze({
	maxBytes: 50 * 1024 * 1024,
	maxPages: 2000
});

/**
 * A page's size as displayed (SPEC PG1: CropBox clipped to MediaBox, turned by /Rotate), in PDF
 * points, as pdf.js shows it.
 */
export interface PageSize {
	width: number;
	height: number;
}

/** The refusal codes inspection can give; `Extract` fails to compile if one leaves the registry. */
export type PdfRefusalCode = Extract<
	ErrorCode,
	'PDF_TOO_LARGE' | 'PDF_TOO_MANY_PAGES' | 'PDF_ENCRYPTED' | 'PDF_MALFORMED'
>;

export type PdfInspection =
	| { ok: true; pages: number; size: number; encrypted: false; pageSizes: PageSize[] }
	| {
			ok: false;
			code: PdfRefusalCode;
			size: number;
			pages?: number;
			encrypted?: boolean;
			message: string;
	  };

/** What the killable runners answer: an inspection, or the verdict that it took too long. */
export type IsolatedPdfInspection =
	| PdfInspection
	| { ok: false; code: Extract<ErrorCode, 'PDF_TIMEOUT'>; size: number; message: string };

/** Options of both killable runners (browser Web Worker, Node worker thread). */
export interface IsolatedPdfOptions extends PdfLimits {
	/** Wall-clock budget for the whole inspection, worker start-up included. */
	timeoutMs?: number;
}

/** 20 s: a 50 MB contract parses in a few seconds; anything slower is pathological. */
export const DEFAULT_PDF_TIMEOUT_MS = 20_000;

/**
 * Why: all three callers (inspectPdf and both killable runners) refuse an oversized file the
 * same way; the runners do it before copying the bytes into a worker, so it costs nothing.
 */
export function tooLarge(size: number, maxBytes: number): PdfInspection {
	return {
		ok: false,
		code: 'PDF_TOO_LARGE',
		size,
		message: `The file has ${size} bytes; at most ${maxBytes} are accepted.`
	};
}
