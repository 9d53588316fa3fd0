/**
 * Inspection of untrusted PDF bytes before anything else touches them: size, header,
 * encryption, structure and page count. Pure and isomorphic — it runs in the browser (inside a
 * Web Worker) and in Node (inside a worker thread) — so the same file gets the same verdict on
 * the device and on the server. It never throws for bad input: every refusal is a stable code.
 *
 * Time is not limited here: a crafted file can still make the parser slow or hungry. Callers run
 * this through `inspectPdfIsolated` (src/lib/server/pdf/pdf-inspect.ts, src/lib/client/pdf-inspect.ts),
 * which kills the worker and answers PDF_TIMEOUT.
 */
import { PDFDocument, ParseSpeeds, type PDFPage } from '@cantoo/pdf-lib';
import {
	DEFAULT_PDF_LIMITS,
	tooLarge,
	type PageSize,
	type PdfInspection,
	type PdfLimits,
	type PdfRefusalCode
} from './inspect-limits';
import { displayedSize, pdfLibPageBox } from './page-box';

// Limits, answer types and the size refusal live in a module without pdf-lib, so the page that
// starts the browser worker does not download the parser itself.
export {
	DEFAULT_PDF_LIMITS,
	DEFAULT_PDF_TIMEOUT_MS,
	type IsolatedPdfInspection,
	type IsolatedPdfOptions,
	type PageSize,
	type PdfInspection,
	type PdfLimits,
	type PdfRefusalCode
} from './inspect-limits';

// Acrobat accepts the header anywhere in the first 1024 bytes and `%%EOF` anywhere in the last
// 1024 bytes (PDF Reference 1.7, appendix H implementation notes); we are exactly as tolerant.
const HEADER = ascii('%PDF-');
const EOF_MARKER = ascii('%%EOF');
const WINDOW = 1024;

/**
 * Why: the one gate every uploaded or downloaded PDF passes before it is stored, shown or
 * rendered, so that a huge, encrypted, truncated or non-PDF file ends in a clear code instead of
 * a broken signing flow later. Checks run cheapest first: size before parsing, so an oversized
 * file costs nothing.
 */
export async function inspectPdf(
	bytes: Uint8Array,
	limits: PdfLimits = {}
): Promise<PdfInspection> {
	const maxBytes = limits.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
	const maxPages = limits.maxPages ?? DEFAULT_PDF_LIMITS.maxPages;
	const size = bytes.byteLength;
	const refuse = (
		code: PdfRefusalCode,
		message: string,
		extra: { pages?: number; encrypted?: boolean } = {}
	): PdfInspection => ({ ok: false, code, size, ...extra, message });

	if (size > maxBytes) return tooLarge(size, maxBytes);
	if (indexOf(bytes, HEADER, 0, Math.min(size, WINDOW)) < 0) {
		return refuse('PDF_MALFORMED', 'No %PDF- header in the first 1024 bytes: not a PDF.');
	}
	// pdf-lib scans objects front to back and happily loads the first pages of a cut-off file, so
	// truncation is caught here: a complete file ends with %%EOF.
	if (indexOf(bytes, EOF_MARKER, Math.max(0, size - WINDOW), size) < 0) {
		return refuse('PDF_MALFORMED', 'No %%EOF in the last 1024 bytes: the file is truncated.');
	}

	let doc: PDFDocument;
	try {
		doc = await PDFDocument.load(bytes, {
			// Encryption is detected below and answered with its own code, not a parse error.
			ignoreEncryption: true,
			// Inspection must not change anything, and never reads the clock.
			updateMetadata: false,
			// Not strict: real contracts often carry a slightly damaged object that every viewer and
			// the renderer (same parser, same defaults) tolerate. Strict mode also fails on every
			// encrypted file with object streams, which would hide PDF_ENCRYPTED behind MALFORMED.
			throwOnInvalidObject: false,
			// No yielding between objects: this runs in a worker, where yielding only costs time.
			parseSpeed: ParseSpeeds.Fastest
		});
	} catch (error) {
		return refuse('PDF_MALFORMED', `The PDF cannot be parsed: ${describe(error)}`);
	}

	// pdf-lib's isEncrypted needs the /Encrypt dictionary to resolve; a trailer that names one the
	// parser could not read (damaged, or hidden in a broken object) still means "encrypted".
	const encrypted = doc.isEncrypted || doc.context.trailerInfo.Encrypt !== undefined;

	let pages: PDFPage[];
	try {
		pages = doc.getPages();
	} catch (error) {
		// A page tree that loops on itself ends here as a RangeError (stack overflow).
		if (encrypted) {
			return refuse('PDF_ENCRYPTED', 'The PDF is encrypted.', { encrypted: true });
		}
		return refuse('PDF_MALFORMED', `The page tree cannot be read: ${describe(error)}`);
	}

	// Page count and sizes stay readable in an encrypted file (only strings and streams are
	// encrypted), so the refusal can still say how many pages it had.
	if (encrypted) {
		return refuse('PDF_ENCRYPTED', 'The PDF is encrypted.', {
			encrypted: true,
			pages: pages.length
		});
	}
	if (pages.length === 0) {
		return refuse('PDF_MALFORMED', 'The PDF has no pages.', { pages: 0, encrypted: false });
	}
	if (pages.length > maxPages) {
		return refuse('PDF_TOO_MANY_PAGES', `The PDF has ${pages.length} pages; at most ${maxPages}.`, {
			pages: pages.length,
			encrypted: false
		});
	}

	const pageSizes: PageSize[] = [];
	for (const [index, page] of pages.entries()) {
		let pageSize: PageSize;
		try {
			// The page as displayed (page-box.ts): the visible box turned by /Rotate, exactly the
			// page pdf.js draws and whose lower-left corner every stored position starts from.
			pageSize = displayedSize(pdfLibPageBox(page));
		} catch (error) {
			return refuse(
				'PDF_MALFORMED',
				`Page ${index + 1} has no usable MediaBox or CropBox: ${describe(error)}`,
				{
					pages: pages.length,
					encrypted: false
				}
			);
		}
		if (!isUsableSize(pageSize)) {
			return refuse('PDF_MALFORMED', `Page ${index + 1} has an invalid size.`, {
				pages: pages.length,
				encrypted: false
			});
		}
		pageSizes.push(pageSize);
	}
	return { ok: true, pages: pages.length, size, encrypted: false, pageSizes };
}

/**
 * A zero, NaN or infinite box would put every field off the page and divide by zero in the
 * viewer's scale; such a page is refused rather than rendered as nonsense.
 */
function isUsableSize({ width, height }: PageSize): boolean {
	return width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height);
}

/** First index of `needle` in `haystack[from, to)`, or -1; no string copy of a 50 MB file. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
	const last = to - needle.length;
	outer: for (let i = from; i <= last; i++) {
		for (let j = 0; j < needle.length; j++) {
			if (haystack[i + j] !== needle[j]) continue outer;
		}
		return i;
	}
	return -1;
}

function ascii(text: string): Uint8Array {
	return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A short reason for logs and the CLI; users see the translated message of the code instead. */
function describe(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
