import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { DeviceEnvelope } from './db';

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

/** The little of pdf.js's global API the boot script uses (pdf.js sets `globalThis.pdfjsLib`). */
interface PdfjsGlobal {
	GlobalWorkerOptions: { workerSrc: string };
	PDFWorker: { create(params: { port: Worker }): unknown };
	getDocument(params: Record<string, unknown>): { promise: Promise<PDFDocumentProxy> };
}

interface BootGlobals {
	__sealpassPdfWorker?: Worker | null;
	/** The pdf.js worker URL the boot script was built with: what the app checks against its own. */
	__sealpassBootWorkerUrl?: string;
	__sealpassBootOpen?: { id: string; open: Promise<BootOpen | null> } | null;
	pdfjsLib?: PdfjsGlobal;
}

/**
 * On a contract's URL (/inbox/<id>): starts pdf.js's worker thread and pdf.js's main module, reads
 * the contract's bytes from the device store and opens them with pdf.js, all before the app has
 * started. Why: the app's own start takes about as long as pdf.js needs for a page, so pdf.js's
 * waits run beside it instead of after it (docs/perf.md). `options` are the app's own
 * (pdf-options.ts), so the document is opened exactly as the app would open it; the worker is
 * handed to pdf.js as its port, and pdf.js gives the app the same PDFWorker for the same port.
 * Every step is best effort: whatever fails or is missing here, the app does again its own way, and
 * reports.
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
): void {
	const match = /^\/inbox\/([^/]+)$/.exec(location.pathname);
	let id: string;
	try {
		id = decodeURIComponent(match?.[1] ?? '');
	} catch {
		return;
	}
	if (!id) return;
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
	if (!port || typeof indexedDB === 'undefined') return;
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
	g.__sealpassBootOpen = { id, open };
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
 * What the boot script opened for contract `id`, once; null when it opened nothing for that id
 * or is of another release (`workerUrl` as for takeBootWorker). The promise gives null when the
 * boot could not open it (no copy on the device, no pdf.js).
 */
export function takeBootOpen(id: string, workerUrl: string): Promise<BootOpen | null> | null {
	const g = globalThis as BootGlobals;
	const boot = g.__sealpassBootOpen;
	if (!boot || boot.id !== id) return null;
	g.__sealpassBootOpen = null;
	if (!bootIsOurs(g, workerUrl)) {
		void boot.open.then((open) => open?.doc.then((doc) => doc.destroy())).catch(() => undefined);
		return null;
	}
	return boot.open;
}
