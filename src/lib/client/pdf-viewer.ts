import type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

/** This build's pdf.js worker URL: what the boot script must have started to be taken. */
export const PDF_WORKER_URL = workerUrl;
import { takeBootWorker } from './device/contract-boot';
import { PDF_OPEN_OPTIONS } from './pdf-options';
import { canvasPixelRatio } from '$lib/domain/page-geometry';

type Pdfjs = typeof import('pdfjs-dist');

let loading: Promise<{ pdfjs: Pdfjs; worker: InstanceType<Pdfjs['PDFWorker']> }> | null = null;

/**
 * Loads pdf.js and starts its worker thread, once per page load; every later call shares them.
 * Why: the worker script is 1.2 MB to compile, and booting it only when the bytes are in hand
 * put that cost after the device read instead of beside it — a route calls this as early as it
 * can (its load function) so a contract's first page appears sooner. One shared worker serves
 * every document (pdf.js keeps documents apart inside it); a dead worker is replaced.
 */
export function warmPdfjs(): Promise<{ pdfjs: Pdfjs; worker: InstanceType<Pdfjs['PDFWorker']> }> {
	const current = loading;
	if (current) {
		return current.then((loaded) => {
			if (!loaded.worker.destroyed) return loaded;
			loading = null;
			return warmPdfjs();
		});
	}
	// The worker thread is started before pdf.js's own module has loaded, so fetching and
	// compiling its 1.2 MB script overlaps the main thread's work; pdf.js talks to it through the
	// port (messages wait in the port until the worker runs). Without Worker support pdf.js falls
	// back to its in-page worker.
	let port: Worker | null = takeBootWorker(workerUrl);
	try {
		port ??= new Worker(workerUrl, { type: 'module' });
	} catch {
		port = null;
	}
	const started = import('pdfjs-dist').then((pdfjs) => {
		pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
		performance.mark('sealpass:pdfjs-loaded');
		return { pdfjs, worker: pdfjs.PDFWorker.create(port ? { port } : {}) };
	});
	// A failed import (offline before the precache finished) must not stick: the next call retries.
	started.catch(() => {
		if (loading === started) loading = null;
	});
	loading = started;
	return started;
}

/**
 * Opens PDF bytes with pdf.js, loaded on first use so pdf.js never weighs on the first route,
 * with the app's options (pdf-options.ts: no eval, CMaps and fonts from our origin). The worker
 * URL comes from the build, so the service worker precaches it and viewing works offline.
 */
export async function openPdf(
	data: Uint8Array,
	/** Told once the bytes have been handed to pdf.js's worker (before the parse). */
	onSent?: () => void
): Promise<PDFDocumentProxy> {
	const { pdfjs, worker } = await warmPdfjs();
	const task = pdfjs.getDocument({ data, worker, ...PDF_OPEN_OPTIONS });
	onSent?.();
	return task.promise;
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

/**
 * Renders pages on demand and cancels them when they scroll away, so a 200-page contract
 * costs only the few canvases in view. One task per page: a new request for a page (zoom)
 * cancels its previous one, so stale renders never paint over fresh ones. Pages are drawn one
 * at a time in the order asked: pdf.js's worker is one thread, so drawing three at once only
 * made the first page — the one the signer is looking at — wait for the other two.
 */
export class LazyPageRenderer {
	#tasks = new Map<number, RenderTask>();
	/** The latest request per page: an older one still waiting for getPage() gives way. */
	#latest = new Map<number, number>();
	#counter = 0;
	/** The render in progress, if any; the next one starts when it settles. */
	#turn: Promise<unknown> = Promise.resolve();

	constructor(private readonly doc: PDFDocumentProxy) {}

	/**
	 * Draws a page at `scale` CSS pixels per PDF point, times the device pixel ratio (capped by
	 * page-geometry's canvasPixelRatio). Resolves true when painted, false when superseded or cancelled.
	 */
	async render(pageNumber: number, canvas: HTMLCanvasElement, scale: number): Promise<boolean> {
		const request = ++this.#counter;
		this.#latest.set(pageNumber, request);
		this.#stopTask(pageNumber);
		const page = await this.doc.getPage(pageNumber);
		if (this.#latest.get(pageNumber) !== request) return false;
		const previous = this.#turn;
		let done!: () => void;
		this.#turn = new Promise<void>((resolve) => (done = resolve));
		try {
			await previous;
			// Cancelled or superseded while it waited: give the turn on without drawing.
			if (this.#latest.get(pageNumber) !== request) return false;
			return await this.#draw(page, pageNumber, canvas, scale);
		} finally {
			done();
		}
	}

	async #draw(
		page: PDFPageProxy,
		pageNumber: number,
		canvas: HTMLCanvasElement,
		scale: number
	): Promise<boolean> {
		const base = page.getViewport({ scale });
		const ratio = canvasPixelRatio(base.width, base.height, window.devicePixelRatio);
		const viewport = page.getViewport({ scale: scale * ratio });
		// Sizing clears the canvas, so it happens before pdf.js takes the 2D context.
		canvas.width = Math.floor(viewport.width);
		canvas.height = Math.floor(viewport.height);
		const task = page.render({ canvas, viewport });
		this.#tasks.set(pageNumber, task);
		try {
			await task.promise;
			return true;
		} catch (error) {
			if ((error as Error)?.name === 'RenderingCancelledException') return false;
			throw error;
		} finally {
			if (this.#tasks.get(pageNumber) === task) this.#tasks.delete(pageNumber);
		}
	}

	/** Stops a page's render in progress, if any (it left the window around the viewport). */
	cancel(pageNumber: number): void {
		this.#latest.delete(pageNumber);
		this.#stopTask(pageNumber);
	}

	#stopTask(pageNumber: number): void {
		this.#tasks.get(pageNumber)?.cancel();
		this.#tasks.delete(pageNumber);
	}

	/** Stops every render (leaving the route); the document's owner destroys the document. */
	cancelAll(): void {
		for (const n of [...this.#tasks.keys()]) this.cancel(n);
	}
}
