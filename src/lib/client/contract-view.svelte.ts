import { liveQuery } from 'dexie';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { deviceDb, type DeviceEnvelope } from './db';
import { openPdf, warmPdfjs } from './pdf-viewer';

export type ContractLoad =
	| { state: 'loading' }
	/** No row for this id on the device (never listed, or removed). */
	| { state: 'unknown' }
	/** Listed in the inbox but not downloaded (or its bytes are missing). */
	| { state: 'not-downloaded'; row: DeviceEnvelope }
	| { state: 'ready'; row: DeviceEnvelope; doc: PDFDocumentProxy }
	| { state: 'failed'; row: DeviceEnvelope | null; message: string };

/**
 * Leaves a User Timing mark (`sealpass:<name>`) so `npm run bench` can say where the time to the
 * first page goes; marks cost nothing noticeable and show in any browser's performance panel.
 */
function mark(name: string): void {
	performance.mark(`sealpass:${name}`);
}

/** Opens the device copy of a document; null when its bytes are not on the device. */
async function openStored(hash: string): Promise<PDFDocumentProxy | null> {
	const blob = await deviceDb().blobs.get(hash);
	if (!blob) return null;
	const bytes = new Uint8Array(await blob.data.arrayBuffer());
	mark('bytes');
	const doc = await openPdf(bytes);
	// The view draws page 1 first; asking now lets the worker parse it while Svelte renders the
	// frames (pdf.js hands the same page object to the renderer's own request).
	doc.getPage(1).catch(() => undefined);
	return doc;
}

/** A document opened by preloadContract, waiting for the view that will own it. */
let ahead: { hash: string; doc: Promise<PDFDocumentProxy | null> } | null = null;
/** The contract preloadContract was last asked for, until a view takes over. */
let preloading: string | null = null;

/**
 * Starts everything the contract view will wait for — pdf.js and its worker, the device read,
 * the parse — before the page component exists, from the route's load. Why: on a phone the SPA
 * boot takes about as long as pdf.js itself, and doing the two one after the other made the
 * first page of a long contract appear far later than pdf.js alone could draw it. Best effort:
 * any failure here is met again, and reported, by the view's own path.
 */
export function preloadContract(id: string): void {
	// The app's start and the route's load both ask for the contract the app opens on: once is
	// enough, until a view has taken what was started.
	if (preloading === id) return;
	preloading = id;
	mark('preload');
	warmPdfjs().catch(() => undefined);
	void deviceDb()
		.envelopes.get(id)
		.then((row) => {
			mark('preload-row');
			if (!row || row.downloadedAt === null || !row.definition) return;
			if (ahead?.hash === row.docHash) return;
			// A document opened ahead for another contract and never taken is freed.
			void ahead?.doc.then((doc) => doc?.destroy()).catch(() => undefined);
			const doc = openStored(row.docHash);
			doc.catch(() => undefined);
			ahead = { hash: row.docHash, doc };
		})
		.catch(() => undefined);
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
	#openedHash: string | null = null;
	#doc: PDFDocumentProxy | null = null;
	#generation = 0;

	constructor(private readonly id: string) {}

	/** Subscribes to the row; returns the cleanup for onMount (also frees the PDF). */
	start(): () => void {
		mark('view-start');
		const db = deviceDb();
		const sub = liveQuery(() => db.envelopes.get(this.id)).subscribe({
			next: (row) => void this.#apply(row ?? null),
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
			sub.unsubscribe();
			reasons.unsubscribe();
			this.#generation++;
			void this.#doc?.destroy();
			this.#doc = null;
		};
	}

	async #apply(row: DeviceEnvelope | null): Promise<void> {
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
			const pending = ahead?.hash === row.docHash ? ahead.doc : openStored(row.docHash);
			ahead = null;
			preloading = null;
			const doc = await pending;
			mark('doc-open');
			if (!doc) {
				if (generation === this.#generation) this.load = { state: 'not-downloaded', row };
				return;
			}
			if (generation !== this.#generation) {
				void doc.destroy();
				return;
			}
			void this.#doc?.destroy();
			this.#doc = doc;
			this.#openedHash = row.docHash;
			this.load = { state: 'ready', row, doc };
		} catch (error) {
			if (generation !== this.#generation) return;
			this.load = {
				state: 'failed',
				row,
				message: error instanceof Error ? error.message : String(error)
			};
		}
	}
}
