import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { DeviceEnvelope } from './db';
import { canvasPixelRatio, pageCssSize, signerFitScale } from '$lib/domain/page-geometry';
import { placeFor, type FirstPagePlace } from './first-page-place';

/**
 * The start of a contract's first page, before the app. `bootContract` runs from
 * the contract boot script (a content-named file of the build), which app.html runs before SvelteKit starts: its own small bundle
 * (entry contract-boot-entry.ts, built by the `sealpass-contract-boot` Vite plugin in
 * vite.config.ts), so whatever it imports is bundled into that classic script, not shared with
 * the app. Keep it to light modules: every byte is on the path of the first page. The app takes
 * what it started with the `take*` functions below, which read the globals it leaves.
 */

/** A contract opened by the boot script from the device copy. */
export interface BootOpen {
	/** The docHash of the row the bytes were read for: the app takes the document only for it. */
	hash: string;
	/** The row as the store holds it (what Dexie would read): the view shows it before Dexie opens. */
	row: DeviceEnvelope;
	doc: Promise<PDFDocumentProxy>;
}

/**
 * Page 1 as the boot script drew it, on the screen where the view will show it, until the view
 * takes its bitmap over (PageDrawing).
 */
export interface BootPage {
	/** The docHash of the document it was drawn from. */
	hash: string;
	/** CSS pixels per PDF point, and the devicePixelRatio, it was drawn at. */
	scale: number;
	screenRatio: number;
	canvas: HTMLCanvasElement;
	/** Takes the drawing off the screen; the view shows page 1 itself by then. */
	remove(): void;
}

/** The little of pdf.js's global API the boot script uses (pdf.js sets `globalThis.pdfjsLib`). */
interface PdfjsGlobal {
	GlobalWorkerOptions: { workerSrc: string };
	PDFWorker: { create(params: { port: Worker }): unknown };
	getDocument(params: Record<string, unknown>): { promise: Promise<PDFDocumentProxy> };
}

/** What the boot script started for contract `id`, for the app to take once. */
interface BootLeft<T> {
	id: string;
	made: Promise<T | null>;
}

interface BootGlobals {
	__sealpassPdfWorker?: Worker | null;
	/** The pdf.js worker URL the boot script was built with: what the app checks against its own. */
	__sealpassBootWorkerUrl?: string;
	__sealpassBootOpen?: BootLeft<BootOpen> | null;
	__sealpassBootPage?: BootLeft<BootPage> | null;
	pdfjsLib?: PdfjsGlobal;
}

/** The id of the contract whose page `pathname` is (/inbox/<id>), or null. */
export function contractIdAt(pathname: string): string | null {
	const match = /^\/inbox\/([^/]+)$/.exec(pathname);
	try {
		return decodeURIComponent(match?.[1] ?? '') || null;
	} catch {
		return null;
	}
}

/**
 * On a contract's URL (/inbox/<id>): starts pdf.js's worker thread and pdf.js's main module, reads
 * the contract's bytes from the device store and opens them with pdf.js, all before the app has
 * started. Why: the app's own start takes about as long as pdf.js needs for a page, so pdf.js's
 * waits run beside it instead of after it (docs/perf.md). `options` are the app's own
 * (pdf-options.ts), so the document is opened exactly as the app would open it; the worker is
 * handed to pdf.js as its port, and pdf.js gives the app the same PDFWorker for the same port.
 * Every step is best effort: whatever fails or is missing here, the app does again its own way, and
 * reports. Returns whether it is drawing page 1 (then the app's start waits for that page).
 *
 * The read opens the store without a version, so it never upgrades it (Dexie owns the schema,
 * src/lib/client/device/db.ts: `envelopes` by id, `blobs` by sha256); on a device without the store it
 * aborts the creation rather than leave an empty database behind, and it closes its connection
 * as soon as its transaction ends so a schema upgrade by the app is never blocked.
 */
export function bootContract(
	workerUrl: string,
	pdfjsUrl: string,
	options: Record<string, unknown>
): boolean {
	const id = contractIdAt(location.pathname);
	if (!id) return false;
	const g = globalThis as BootGlobals;
	g.__sealpassBootWorkerUrl = workerUrl;
	// null means the app already started its own worker: never a second one.
	let port: Worker | null = null;
	if (!('__sealpassPdfWorker' in g) && typeof Worker === 'function') {
		try {
			port = new Worker(workerUrl, { type: 'module' });
			g.__sealpassPdfWorker = port;
		} catch {
			// The app starts one when it needs it.
		}
	}
	const pdfjs = import(/* @vite-ignore */ pdfjsUrl);
	pdfjs.catch(() => undefined);
	if (!port || typeof indexedDB === 'undefined') return false;
	const worker = port;
	const copy = new Promise<{ hash: string; row: DeviceEnvelope; bytes: Uint8Array } | null>(
		(resolve) => {
			const request = indexedDB.open('sealpass');
			request.onupgradeneeded = () => request.transaction?.abort();
			request.onerror = () => resolve(null);
			request.onblocked = () => resolve(null);
			request.onsuccess = () => {
				const db = request.result;
				db.onversionchange = () => db.close();
				try {
					const tx = db.transaction(['envelopes', 'blobs'], 'readonly');
					tx.onabort = () => resolve(null);
					tx.onerror = () => resolve(null);
					const row = tx.objectStore('envelopes').get(id);
					row.onsuccess = () => {
						const envelope = row.result as DeviceEnvelope | undefined;
						const hash: unknown = envelope?.docHash;
						if (typeof hash !== 'string' || !envelope?.downloadedAt) return resolve(null);
						const blob = tx.objectStore('blobs').get(hash);
						blob.onsuccess = () => {
							const data = (blob.result as { data?: unknown } | undefined)?.data;
							if (!(data instanceof Blob)) return resolve(null);
							data.arrayBuffer().then(
								(buffer) => resolve({ hash, row: envelope, bytes: new Uint8Array(buffer) }),
								() => resolve(null)
							);
						};
					};
				} catch {
					resolve(null);
				}
				// Closes once the transaction is done.
				db.close();
			};
		}
	);
	const open = Promise.all([copy, pdfjs])
		.then(([read]) => {
			const lib = g.pdfjsLib;
			if (!read || !lib) return null;
			lib.GlobalWorkerOptions.workerSrc = workerUrl;
			performance.mark('sealpass:boot-open');
			const doc = lib.getDocument({
				...options,
				data: read.bytes,
				worker: lib.PDFWorker.create({ port: worker })
			}).promise;
			// Page 1 is drawn first: the worker parses it while the app starts.
			doc.then((opened) => opened.getPage(1)).catch(() => undefined);
			return { hash: read.hash, row: read.row, doc };
		})
		.catch(() => null);
	g.__sealpassBootOpen = { id, made: open };

	// Page 1 is drawn here too when this screen has shown a contract before: where the view put
	// page 1 then is where it will put it now (first-page-place.ts). Not on a reload or a step
	// through history: the app restores the scroll position there, and the page drawn here would
	// jump once the app is up.
	const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
	if (navigation && navigation.type !== 'navigate') return false;
	let place: FirstPagePlace | null = null;
	try {
		place = placeFor(localStorage, id, innerWidth, devicePixelRatio);
	} catch {
		// No storage (a privacy mode): the app draws page 1.
	}
	if (!place) return false;
	const at = place;
	const shown = open
		.then((opened) => (opened ? drawFirstPage(opened, at) : null))
		.catch(() => null);
	g.__sealpassBootPage = { id, made: shown };
	return true;
}

/**
 * Draws page 1 as the view will (the same fit-width scale, bitmap size and place) and puts it on
 * the screen. Why before the app: the app's start costs about as much as pdf.js's whole path to
 * page 1, and run beside it slows pdf.js's worker; the app waits for this page instead
 * (hooks.client.ts) and takes its bitmap over. Hidden from assistive technology: the view's own
 * page 1, with its label, replaces it as soon as the app is up.
 */
async function drawFirstPage(open: BootOpen, place: FirstPagePlace): Promise<BootPage | null> {
	const pages = open.row.definition?.pages;
	if (!pages?.length) return null;
	const scale = signerFitScale(pages, place.listWidth);
	const size = pageCssSize(pages[0]!, scale);
	const screenRatio = devicePixelRatio;
	const page = await (await open.doc).getPage(1);
	const viewport = page.getViewport({
		scale: scale * canvasPixelRatio(size.width, size.height, screenRatio)
	});
	const canvas = document.createElement('canvas');
	canvas.width = Math.floor(viewport.width);
	canvas.height = Math.floor(viewport.height);
	canvas.style.cssText = 'display:block;width:100%;height:100%';
	await page.render({ canvas, viewport }).promise;
	const frame = document.createElement('div');
	frame.setAttribute('data-boot-page', '');
	frame.setAttribute('aria-hidden', 'true');
	// The look of the view's page frame (pdf-page-stack.svelte), above whatever the app mounts.
	frame.style.cssText =
		`position:absolute;z-index:20;pointer-events:none;background:#fff;` +
		`box-shadow:0 1px 4px rgb(0 0 0 / 0.2);top:${place.top}px;` +
		`left:${place.centre - size.width / 2}px;width:${size.width}px;height:${size.height}px`;
	frame.append(canvas);
	(document.body ?? document.documentElement).append(frame);
	frame.setAttribute('data-rendered', 'true');
	performance.mark('sealpass:boot-page');
	return { hash: open.hash, scale, screenRatio, canvas, remove: () => frame.remove() };
}

/**
 * Whether the boot script came with the app's own pdf.js (`workerUrl` is the app's worker URL,
 * content-named per release). A boot script of another release (kept by a browser past a
 * deploy) starts a worker from files this server may no longer have, or opens the document
 * with another pdf.js version: a worker whose script never loads answers no message, and the
 * view waited for page 1 forever. What such a script started is never taken.
 */
function bootIsOurs(g: BootGlobals, workerUrl: string): boolean {
	return g.__sealpassBootWorkerUrl === workerUrl;
}

/**
 * The worker the boot script started, once; null when it started none (another page, no
 * Worker support), it has been taken, or it is of another release (then it is ended). Leaves
 * null behind, so a boot script that runs late starts no second worker.
 */
export function takeBootWorker(workerUrl: string): Worker | null {
	const g = globalThis as BootGlobals;
	const worker = g.__sealpassPdfWorker ?? null;
	g.__sealpassPdfWorker = null;
	if (worker && !bootIsOurs(g, workerUrl)) {
		worker.terminate();
		return null;
	}
	return worker;
}

/**
 * Settles once the boot script's page 1 of contract `id` is on screen, or it draws none, or
 * after `maxMs`: the app's start waits for it (hooks.client.ts), so the two do not share the
 * device's cores. Does not take the page (takeBootPage does).
 */
export function bootPageSettled(id: string, maxMs: number): Promise<void> {
	const boot = (globalThis as BootGlobals).__sealpassBootPage;
	if (!boot || boot.id !== id) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, maxMs);
		void boot.made.finally(() => {
			clearTimeout(timer);
			resolve();
		});
	});
}

/**
 * Takes what the boot script left under `key` for contract `id`, once; null when it left nothing
 * for that id, or when it is of another release (`workerUrl` as for takeBootWorker), which is
 * then disposed of.
 */
function takeLeft<T>(
	key: '__sealpassBootOpen' | '__sealpassBootPage',
	id: string,
	workerUrl: string,
	dispose: (value: T) => unknown
): Promise<T | null> | null {
	const g = globalThis as BootGlobals;
	const left = g[key] as BootLeft<T> | null | undefined;
	if (!left || left.id !== id) return null;
	g[key] = null;
	if (!bootIsOurs(g, workerUrl)) {
		void left.made.then((value) => value && dispose(value)).catch(() => undefined);
		return null;
	}
	return left.made;
}

/**
 * The boot script's page 1 of contract `id`, once (see takeLeft); a page of another release is
 * taken off the screen.
 */
export function takeBootPage(id: string, workerUrl: string): Promise<BootPage | null> | null {
	return takeLeft<BootPage>('__sealpassBootPage', id, workerUrl, (page) => page.remove());
}

/**
 * What the boot script opened for contract `id`, once (see takeLeft); a document of another
 * release is freed. The promise gives null when the boot could not open it (no copy on the
 * device, no pdf.js).
 */
export function takeBootOpen(id: string, workerUrl: string): Promise<BootOpen | null> | null {
	return takeLeft<BootOpen>('__sealpassBootOpen', id, workerUrl, (open) =>
		open.doc.then((doc) => doc.destroy())
	);
}
