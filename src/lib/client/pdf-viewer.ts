import type { PDFDocumentProxy } from 'pdfjs-dist';

/**
 * Opens PDF bytes with pdf.js, loaded on first use so pdf.js never weighs on the first route.
 * The worker URL comes from the build, so the service worker precaches it and viewing works
 * offline. isEvalSupported: false keeps pdf.js inside our CSP (no 'unsafe-eval') and shuts the
 * font-program eval path that crafted PDFs have abused (CVE-2024-4367).
 */
export async function openPdf(data: Uint8Array): Promise<PDFDocumentProxy> {
	const [pdfjs, worker] = await Promise.all([
		import('pdfjs-dist'),
		import('pdfjs-dist/build/pdf.worker.min.mjs?url')
	]);
	pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
	return pdfjs.getDocument({
		data,
		isEvalSupported: false,
		enableXfa: false,
		stopAtErrors: false
	}).promise;
}

/** Renders one page into a canvas at a width in CSS pixels, sharp on high-DPI screens. */
export async function renderPage(
	doc: PDFDocumentProxy,
	pageNumber: number,
	canvas: HTMLCanvasElement,
	cssWidth: number
): Promise<void> {
	const page = await doc.getPage(pageNumber);
	const base = page.getViewport({ scale: 1 });
	const ratio = window.devicePixelRatio || 1;
	const viewport = page.getViewport({ scale: (cssWidth / base.width) * ratio });
	canvas.width = Math.floor(viewport.width);
	canvas.height = Math.floor(viewport.height);
	canvas.style.width = `${cssWidth}px`;
	canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
	await page.render({ canvas, viewport }).promise;
}
