import { liveQuery } from 'dexie';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { deviceDb, type DeviceEnvelope } from './db';
import { openPdf, warmPdfjs, PDF_WORKER_URL } from '../pdf-viewer';
import { takeBootOpen, takeBootPage, type BootPage } from './contract-boot';

export type ContractLoad =
	| { state: 'loading' }
	/** No row for this id on the device (never listed, or removed). */
	| { state: 'unknown' }
	/** Listed in the inbox but not downloaded (or its bytes are missing). */
	| { state: 'not-downloaded'; row: DeviceEnvelope }
	/**
	 * On the device and being opened by pdf.js. The view lays out its page frames from the row's
	 * definition now, so that work is done while pdf.js's worker parses, not after it.
	 */
	| { state: 'opening'; row: DeviceEnvelope }
	| { state: 'ready'; row: DeviceEnvelope; doc: PDFDocumentProxy }
	| { state: 'failed'; row: DeviceEnvelope | null; message: string };

/**
 * Leaves a User Timing mark (`sealpass:<name>`) so `npm run bench` can say where the time to the
 * first page goes; marks cost nothing noticeable and show in any browser's performance panel.
 */
function mark(name: string): void {
	performance.mark(`sealpass:${name}`);
}

/**
 * A device copy being opened: `sent` settles once its bytes are with pdf.js's worker (or the
 * open has ended), `doc` with the opened document (null when the bytes are not on the device).
 */
interface Opening {
	hash: string;
	sent: Promise<void>;
	doc: Promise<PDFDocumentProxy | null>;
	/** The row it was read for, when read ahead of the view: shown before Dexie's own read. */
	row?: DeviceEnvelope;
}

/** Opens the device copy of a document (null when the store does not have its bytes). */
function openStored(hash: string): Opening {
	let sent!: () => void;
	const handedOver = new Promise<void>((resolve) => (sent = resolve));
	const doc = (async () => {
		try {
			const blob = await deviceDb().blobs.get(hash);
			if (!blob) return null;
			const bytes = new Uint8Array(await blob.data.arrayBuffer());
			mark('bytes');
			const opened = await openPdf(bytes, sent);
			// The view draws page 1 first; asking now lets the worker parse it while Svelte
			// renders (pdf.js hands the same page object to the renderer's own request).
			opened.getPage(1).catch(() => undefined);
			return opened;
		} finally {
			sent();
		}
	})();
	doc.catch(() => undefined);
	return { hash, sent: handedOver, doc };
}

/** The document preloadContract started for a contract, waiting for the view that will own it. */
let ahead: {
	id: string;
	opening: Promise<Opening | null>;
	/** Page 1 as the boot script drew it, until the view takes it over. */
	firstPage: Promise<BootPage | null> | null;
} | null = null;
/** The contract preloadContract was last asked for, until a view takes over. */
let preloading: string | null = null;

/** Frees a document opened ahead that no view took. */
function dropAhead(): void {
	void ahead?.opening
		.then((opening) => opening?.doc)
		.then((doc) => doc?.destroy())
		.catch(() => undefined);
	void ahead?.firstPage?.then((page) => page?.remove());
	ahead = null;
}

/**
 * Starts everything the contract view will wait for — pdf.js and its worker, the device read,
 * the parse — before the page component exists, from the app's start and the route's load.
 * Why: on a phone the SPA boot takes about as long as pdf.js itself, and doing the two one after
 * the other made the first page of a long contract appear far later than pdf.js alone could
 * draw it. The document the boot script opened is taken when it opened one (contract-boot.ts),
 * else it is read from Dexie. Best effort: any failure here is met again, and reported, by the view's own
 * path.
 */
export function preloadContract(id: string): void {
	// The app's start and the route's load both ask for the contract the app opens on: once is
	// enough, until a view has taken what was started.
	if (preloading === id) return;
	preloading = id;
	mark('preload');
	warmPdfjs().catch(() => undefined);
	dropAhead();
	const fromStore = () =>
		deviceDb()
			.envelopes.get(id)
			.then((row) => {
				mark('preload-row');
				if (!row || row.downloadedAt === null || !row.definition) return null;
				return { ...openStored(row.docHash), row };
			});
	const boot = takeBootOpen(id, PDF_WORKER_URL);
	const opening = (boot ?? Promise.resolve(null))
		.then((open) =>
			open
				? { hash: open.hash, sent: Promise.resolve(), doc: open.doc, row: open.row }
				: fromStore()
		)
		.catch(() => null);
	ahead = { id, opening, firstPage: takeBootPage(id, PDF_WORKER_URL) };
}

/**
 * One contract as the device holds it, for the contract view. Reads only Dexie, never the
 * network, so the view is the same online and offline; it follows the row through liveQuery, so
 * a download started from the view shows the contract as soon as it commits. The PDF is opened
 * once per docHash: metadata updates (a refresh) do not re-parse the document.
 */
export class ContractView {
	load = $state.raw<ContractLoad>({ state: 'loading' });
	/**
	 * The reason this device gave when it returned (退回) the contract, from its outbox row
	 * (kept after the sync): the signer sees what they wrote, online or offline.
	 */
	returnReason = $state<string | null>(null);
	/** Page 1 as the boot script drew it, for the page drawing to take over (null: none). */
	firstPage = $state.raw<Promise<BootPage | null> | null>(null);
	#openedHash: string | null = null;
	#doc: PDFDocumentProxy | null = null;
	/** The document being opened, so a row update that arrives meanwhile does not open it twice. */
	#opening: Opening | null = null;
	/** What preloadContract started for this contract, until a row decides whether it fits. */
	#early: Promise<Opening | null> | null = null;
	#generation = 0;
	/** The last row applied, as JSON: the same row again (the read ahead, then Dexie's) is skipped. */
	#applied: string | null = null;

	constructor(private readonly id: string) {}

	/** Subscribes to the row; returns the cleanup for onMount (also frees the PDF). */
	start(): () => void {
		mark('view-start');
		const db = deviceDb();
		// The row read ahead with the document (by the boot script or the preload) is shown at
		// once: Dexie's first read waits for its own open of the store (docs/perf.md). Dexie's
		// row then follows as usual, and is skipped when it is the same.
		let stopped = false;
		let live = false;
		if (ahead?.id === this.id) {
			this.firstPage = ahead.firstPage;
			ahead.firstPage = null;
			void ahead.opening.then((opening) => {
				if (!stopped && !live && opening?.row?.id === this.id) void this.#apply(opening.row);
			});
		}
		const sub = liveQuery(() => db.envelopes.get(this.id)).subscribe({
			next: (row) => {
				live = true;
				void this.#apply(row ?? null);
			},
			error: (error) => (this.load = { state: 'failed', row: null, message: String(error) })
		});
		const reasons = liveQuery(() =>
			db.outbox.where('envelopeId').equals(this.id).toArray()
		).subscribe({
			next: (rows) => {
				const decision = rows.findLast((r) => r.manifest.decision.kind === 'rejected')?.manifest
					.decision;
				this.returnReason = decision?.kind === 'rejected' ? decision.reason : null;
			}
		});
		return () => {
			stopped = true;
			this.#applied = null;
			// Leaving the contract before the view took page 1 over: the boot's drawing goes too.
			void this.firstPage?.then((page) => page?.remove());
			sub.unsubscribe();
			reasons.unsubscribe();
			this.#generation++;
			void this.#doc?.destroy();
			this.#doc = null;
			// A document still opening is destroyed by its #apply when it arrives; one opened
			// ahead and never taken, here.
			this.#opening = null;
			void this.#early
				?.then((early) => early?.doc)
				.then((doc) => doc?.destroy())
				.catch(() => undefined);
			this.#early = null;
		};
	}

	async #apply(row: DeviceEnvelope | null): Promise<void> {
		const applied = JSON.stringify(row);
		if (applied === this.#applied) return;
		this.#applied = applied;
		const generation = ++this.#generation;
		if (!row) {
			this.load = { state: 'unknown' };
			return;
		}
		if (row.downloadedAt === null || !row.definition) {
			this.load = { state: 'not-downloaded', row };
			return;
		}
		if (this.#doc && this.#openedHash === row.docHash) {
			this.load = { state: 'ready', row, doc: this.#doc };
			return;
		}
		mark('row');
		try {
			let opening = this.#opening?.hash === row.docHash ? this.#opening : null;
			if (!opening) {
				if (ahead?.id === this.id) {
					this.#early = ahead.opening;
					ahead = null;
				}
				const started = this.#early ? await this.#early : null;
				// A later row took over meanwhile: it awaits the same early open.
				if (generation !== this.#generation) return;
				this.#early = null;
				if (started && started.hash !== row.docHash) {
					// Opened for a revision this row no longer has.
					void started.doc.then((doc) => doc?.destroy()).catch(() => undefined);
				}
				opening = started?.hash === row.docHash ? started : openStored(row.docHash);
				this.#opening = opening;
			}
			preloading = null;
			const pending = opening.doc;
			// The frames are laid out only once the bytes are with pdf.js's worker: laying out a
			// long contract first held the device read and pdf.js's start up behind that work.
			await opening.sent;
			if (generation === this.#generation) this.load = { state: 'opening', row };
			const doc = await pending;
			mark('doc-open');
			if (generation !== this.#generation) {
				// A later row took over; it awaits the same promise when its hash is the same.
				if (doc && this.#opening?.doc !== pending) void doc.destroy();
				return;
			}
			this.#opening = null;
			if (!doc) {
				this.load = { state: 'not-downloaded', row };
				return;
			}
			void this.#doc?.destroy();
			this.#doc = doc;
			this.#openedHash = row.docHash;
			this.load = { state: 'ready', row, doc };
		} catch (error) {
			if (generation !== this.#generation) return;
			this.#opening = null;
			this.load = {
				state: 'failed',
				row,
				message: error instanceof Error ? error.message : String(error)
			};
		}
	}
}
