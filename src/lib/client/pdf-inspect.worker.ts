/**
 * The Web Worker side of the browser's `inspectPdfIsolated` (pdf-inspect.ts), bundled by Vite
 * through the `?worker` import. It answers one message and is then terminated by its owner, so a
 * file that hangs the parser costs one killed worker, never the signing page.
 */
import { inspectPdf, type PdfLimits } from '../pdf/inspect';

/** The one message the page sends: the bytes are a structured-clone copy, the page keeps its own. */
export interface PdfInspectRequest {
	bytes: Uint8Array;
	limits: PdfLimits;
}

// The project's TypeScript lib is DOM (one tsconfig for page and worker code), which types `self`
// as a Window; these two members are all a dedicated worker needs here.
const scope = self as unknown as {
	onmessage: ((event: MessageEvent<PdfInspectRequest>) => void) | null;
	postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
	const { bytes, limits } = event.data;
	// inspectPdf answers every bad input with a code; if it ever throws, the page sees the
	// worker's error event and answers PDF_MALFORMED.
	void inspectPdf(bytes, limits).then((result) => scope.postMessage(result));
};
