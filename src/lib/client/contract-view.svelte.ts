import { liveQuery } from 'dexie';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { deviceDb, type DeviceEnvelope } from './db';

export type ContractLoad =
	| { state: 'loading' }
	/** No row for this id on the device (never listed, or removed). */
	| { state: 'unknown' }
	/** Listed in the inbox but not downloaded (or its bytes are missing). */
	| { state: 'not-downloaded'; row: DeviceEnvelope }
	| { state: 'ready'; row: DeviceEnvelope; doc: PDFDocumentProxy }
	| { state: 'failed'; row: DeviceEnvelope | null; message: string };

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
		try {
			const blob = await deviceDb().blobs.get(row.docHash);
			if (!blob) {
				if (generation === this.#generation) this.load = { state: 'not-downloaded', row };
				return;
			}
			const bytes = new Uint8Array(await blob.data.arrayBuffer());
			const { openPdf } = await import('./pdf-viewer');
			const doc = await openPdf(bytes);
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
