import { liveQuery } from 'dexie';
import { draftImages, emptyDraft, type Draft } from '$lib/domain/draft';
import type { Envelope, Field } from '$lib/domain/envelope';
import type { FreeSeal, RidingSeam } from '$lib/domain/manifest';
import {
	clampSealCentre,
	fieldsOfKind,
	freeSeam,
	localDateText,
	sealFitsField,
	seamForField,
	seamFromDrop
} from '$lib/domain/marking';
import { deviceDb, type DeviceSeal } from './db';
import { storePng } from './device-images';
import { saveDefaultSignature } from './signing-kit';

/** What is kept in meta `draft:<envelopeId>`: the draft and what it was made on. */
interface StoredDraft {
	docHash: string;
	signerId: string;
	draft: Draft;
}

/**
 * The marks a signer is placing on one contract, before confirmation. Keeps the draft in memory
 * (the view draws it) and in Dexie meta `draft:<envelopeId>` after every change, so a reload, a
 * closed tab or a flat battery never loses unconfirmed marks. A stored draft made on another copy
 * of the document or for another signer is ignored: its fields may no longer exist.
 * Also holds the seals and default signature the user may mark with, and one object URL per
 * image in use, revoked as soon as nothing shows that image any more.
 */
export class Marking {
	draft = $state<Draft>(emptyDraft());
	loaded = $state(false);
	seals = $state.raw<DeviceSeal[]>([]);
	defaultSignature = $state<string | null>(null);
	/** The organisation's certification state as of the last sync (null: not known yet). */
	orgCertState = $state<string | null>(null);
	/** Image hash → object URL of its bytes in `blobs`. */
	urls = $state<Record<string, string>>({});
	/** The last storage failure, shown to the signer; the marks stay in memory meanwhile. */
	saveError = $state<string | null>(null);

	#saving: Promise<void> = Promise.resolve();
	#stopped = false;
	/** Hashes whose blob is being read; plain bookkeeping, never drawn. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately untracked
	#loading = new Set<string>();

	constructor(
		private readonly envelope: Envelope,
		readonly signerId: string
	) {}

	get #key(): string {
		return `draft:${this.envelope.id}`;
	}

	/** Loads the stored draft and follows seals and the default signature; returns the cleanup. */
	start(): () => void {
		const db = deviceDb();
		const subs = [
			liveQuery(() => db.seals.toArray()).subscribe({
				next: (rows) => {
					this.seals = rows.sort((a, b) => a.name.localeCompare(b.name));
					this.#refreshUrls();
				}
			}),
			liveQuery(() => db.meta.get('orgCertState')).subscribe({
				next: (row) => {
					this.orgCertState = typeof row?.value === 'string' ? row.value : null;
				}
			}),
			liveQuery(() => db.meta.get('defaultSignature')).subscribe({
				next: (row) => {
					this.defaultSignature = typeof row?.value === 'string' ? row.value : null;
					this.#refreshUrls();
				}
			})
		];
		void this.#load();
		return () => {
			this.#stopped = true;
			for (const sub of subs) sub.unsubscribe();
			for (const url of Object.values(this.urls)) URL.revokeObjectURL(url);
			this.urls = {};
		};
	}

	async #load(): Promise<void> {
		const row = await deviceDb().meta.get(this.#key);
		const stored = row?.value as StoredDraft | undefined;
		if (stored && stored.docHash === this.envelope.docHash && stored.signerId === this.signerId) {
			this.draft = stored.draft;
		}
		// K1: date fields start with today's date; a stored edit is kept.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not watched
		const today = localDateText(new Date());
		let changed = false;
		for (const field of fieldsOfKind(this.envelope, this.signerId, 'date')) {
			if (!this.draft.fills[field.id]) {
				this.draft.fills[field.id] = { kind: 'date', text: today };
				changed = true;
			}
		}
		this.loaded = true;
		this.#refreshUrls();
		if (changed) this.#save();
	}

	/** Resolves when every change so far is stored (or its failure reported). */
	flush(): Promise<void> {
		return this.#saving;
	}

	#save(): void {
		const value: StoredDraft = {
			docHash: this.envelope.docHash,
			signerId: this.signerId,
			draft: $state.snapshot(this.draft)
		};
		// Chained, so an older snapshot never lands after a newer one.
		this.#saving = this.#saving.then(() =>
			deviceDb()
				.meta.put({ key: this.#key, value })
				.then(
					() => {
						this.saveError = null;
					},
					(error: unknown) => {
						this.saveError = error instanceof Error ? error.message : String(error);
					}
				)
		);
		this.#refreshUrls();
	}

	/** Loads object URLs for the images in use and revokes the rest. */
	#refreshUrls(): void {
		if (this.#stopped) return;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, never drawn
		const wanted = new Set(draftImages(this.draft));
		for (const seal of this.seals) wanted.add(seal.image);
		if (this.defaultSignature) wanted.add(this.defaultSignature);
		for (const [hash, url] of Object.entries(this.urls)) {
			if (!wanted.has(hash)) {
				URL.revokeObjectURL(url);
				delete this.urls[hash];
			}
		}
		for (const hash of wanted) {
			if (this.urls[hash] || this.#loading.has(hash)) continue;
			this.#loading.add(hash);
			void deviceDb()
				.blobs.get(hash)
				.then((blob) => {
					this.#loading.delete(hash);
					if (!blob || this.#stopped || this.urls[hash]) return;
					this.urls[hash] = URL.createObjectURL(blob.data);
				});
		}
	}

	/** Keeps a drawn PNG (optionally as the default signature) and returns its hash. */
	async keepSignature(png: Uint8Array, asDefault: boolean): Promise<string> {
		return asDefault ? saveDefaultSignature(png, deviceDb()) : storePng(png);
	}

	/** Fills signature fields with an image: one field, or every signature field of the signer. */
	sign(image: string, fieldId?: string): void {
		const targets = fieldId
			? [fieldId]
			: fieldsOfKind(this.envelope, this.signerId, 'signature').map((f) => f.id);
		for (const id of targets) this.draft.fills[id] = { kind: 'signature', image };
		this.#save();
	}

	/**
	 * Stamps a seal into seal fields: one, or every seal field of the signer where the seal at
	 * real size fits on the page (R14). Returns the ids of fields it could not stamp.
	 */
	stamp(seal: DeviceSeal, fieldId?: string): string[] {
		const fields = fieldsOfKind(this.envelope, this.signerId, 'seal').filter(
			(f) => !fieldId || f.id === fieldId
		);
		const skipped: string[] = [];
		for (const field of fields) {
			const page = this.envelope.pages[field.page - 1];
			if (!page || !sealFitsField(field, seal.sizeMm, page)) {
				skipped.push(field.id);
				continue;
			}
			this.draft.fills[field.id] = {
				kind: 'seal',
				sealId: seal.id,
				image: seal.image,
				sizeMm: { ...seal.sizeMm }
			};
		}
		this.#save();
		return skipped;
	}

	/** Sets a date field's text (the signer edits the prefilled date). */
	setDate(fieldId: string, text: string): void {
		this.draft.fills[fieldId] = { kind: 'date', text };
		this.#save();
	}

	/** Empties a field: its fill, or the riding seam naming a riding-seam field. */
	clear(field: Field): void {
		if (field.kind === 'riding-seam') {
			this.draft.ridingSeams = this.draft.ridingSeams.filter((s) => s.fieldId !== field.id);
		} else {
			delete this.draft.fills[field.id];
		}
		this.#save();
	}

	/** Adds a seal freely at the centre of a page (clamped, K5); returns its index. */
	addFreeSeal(seal: DeviceSeal, page: number): number {
		const size = this.envelope.pages[page - 1]!;
		const free: FreeSeal = {
			sealId: seal.id,
			image: seal.image,
			page,
			centre: clampSealCentre({ x: size.width / 2, y: size.height / 2 }, seal.sizeMm, size),
			sizeMm: { ...seal.sizeMm }
		};
		this.draft.seals.push(free);
		this.#save();
		return this.draft.seals.length - 1;
	}

	/**
	 * Moves a free seal (already clamped by the caller). `persist: false` while a drag is under
	 * way: the position is drawn at once and stored when the drag ends.
	 */
	moveFreeSeal(index: number, centre: { x: number; y: number }, persist = true): void {
		const seal = this.draft.seals[index];
		if (!seal) return;
		seal.centre = centre;
		if (persist) this.#save();
	}

	/**
	 * Turns a free seal dropped on the right-edge zone into a riding seam (RD2) at the drop's
	 * height `y` (PDF points on its page); it fills the signer's first riding-seam field not yet
	 * filled in the draft. Returns the seam's index, or null when there is no such free seal.
	 */
	freeSealToSeam(index: number, y: number): number | null {
		const free = this.draft.seals[index];
		const page = free && this.envelope.pages[free.page - 1];
		if (!free || !page) return null;
		const open = fieldsOfKind(this.envelope, this.signerId, 'riding-seam').filter(
			(f) => !this.draft.ridingSeams.some((s) => s.fieldId === f.id)
		);
		const seam = seamFromDrop(free, y, page, this.envelope.pages, open);
		this.draft.seals.splice(index, 1);
		this.draft.ridingSeams.push(seam);
		this.#save();
		return this.draft.ridingSeams.length - 1;
	}

	removeFreeSeal(index: number): void {
		this.draft.seals.splice(index, 1);
		this.#save();
	}

	/** Adds a riding seam (for a field, with its defaults, or freely); returns its index. */
	addSeam(seal: DeviceSeal, field?: Field): number {
		const base = { sealId: seal.id, image: seal.image, sizeMm: { ...seal.sizeMm } };
		const seam: RidingSeam = field
			? seamForField(field, this.envelope.pages, base)
			: freeSeam(this.envelope.pages, base);
		// A field is filled by one seam only (R8): replace an earlier seam for the same field.
		if (field)
			this.draft.ridingSeams = this.draft.ridingSeams.filter((s) => s.fieldId !== field.id);
		this.draft.ridingSeams.push(seam);
		this.#save();
		return this.draft.ridingSeams.length - 1;
	}

	/** Changes a riding seam; the caller keeps it valid (pages ≥ 2, position in range). */
	updateSeam(index: number, change: Partial<Omit<RidingSeam, 'fieldId'>>): void {
		const seam = this.draft.ridingSeams[index];
		if (!seam) return;
		Object.assign(seam, change);
		this.#save();
	}

	removeSeam(index: number): void {
		this.draft.ridingSeams.splice(index, 1);
		this.#save();
	}
}
