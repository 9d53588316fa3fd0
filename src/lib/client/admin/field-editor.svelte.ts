import type { Field, FieldKind, PageSize, Rect, Signer } from '$lib/domain/envelope';
import {
	applyTemplate,
	copyToAllPages,
	moveRect,
	placeRect,
	readinessProblems,
	resizeRect,
	clampRect,
	type TemplateField
} from '$lib/domain/field-layout';

/** A field id that no other field of this contract has, even across reloads of the editor. */
function newFieldId(): string {
	return `field-${crypto.randomUUID()}`;
}

/**
 * The field editor's state: the layout being edited, the selection, the armed tool and whether
 * there are unsaved changes. Every geometric change goes through the domain rules (SPEC L1–L6),
 * so what the editor shows is exactly what the server will store after its own clamp.
 */
export class FieldEditor {
	fields = $state<Field[]>([]);
	selectedId = $state<string | null>(null);
	/** The signer new fields are placed for. */
	signerId = $state<string>('');
	/** The kind the next click or drag on a page places; null when no tool is armed. */
	tool = $state<FieldKind | null>(null);
	dirty = $state(false);

	readonly pages: PageSize[];
	readonly signers: Signer[];

	constructor(init: { pages: PageSize[]; signers: Signer[]; fields: Field[] }) {
		this.pages = init.pages;
		this.signers = init.signers;
		this.fields = init.fields.map((f) => ({ ...f, rect: { ...f.rect } }));
		this.signerId = init.signers[0]?.id ?? '';
	}

	get selected(): Field | null {
		return this.fields.find((f) => f.id === this.selectedId) ?? null;
	}

	get readiness() {
		return readinessProblems({ pages: this.pages, signers: this.signers, fields: this.fields });
	}

	/** Replaces the layout with what the server stored (after a save) and clears "unsaved". */
	reset(fields: Field[]): void {
		this.fields = fields.map((f) => ({ ...f, rect: { ...f.rect } }));
		if (!this.fields.some((f) => f.id === this.selectedId)) this.selectedId = null;
		this.dirty = false;
	}

	/** Adds a field of the armed kind (or `kind`) for the current signer with a given rect. */
	add(page: number, rect: Rect, kind: FieldKind | null = this.tool): Field | null {
		const size = this.pages[page - 1];
		if (!size || !kind || !this.signerId) return null;
		const field: Field = {
			id: newFieldId(),
			kind,
			signerId: this.signerId,
			page,
			rect: clampRect(rect, size),
			required: true
		};
		this.fields.push(field);
		this.selectedId = field.id;
		this.dirty = true;
		return field;
	}

	/** L3: a field of the default size centred on a point of the page (PDF points). */
	placeAt(page: number, centre: { x: number; y: number }, kind: FieldKind | null = this.tool) {
		const size = this.pages[page - 1];
		if (!size || !kind) return null;
		return this.add(page, placeRect(kind, size, centre), kind);
	}

	/** L3 for the keyboard: the page's centre. */
	placeCentred(page: number, kind: FieldKind) {
		const size = this.pages[page - 1];
		if (!size) return null;
		return this.placeAt(page, { x: size.width / 2, y: size.height / 2 }, kind);
	}

	#update(id: string, change: (f: Field, page: PageSize) => Partial<Field>): void {
		const field = this.fields.find((f) => f.id === id);
		const page = field && this.pages[field.page - 1];
		if (!field || !page) return;
		Object.assign(field, change(field, page));
		this.dirty = true;
	}

	/** L2: a move in screen directions from a starting rect (drag) or the current one (keys). */
	move(id: string, dx: number, dy: number, from?: Rect): void {
		this.#update(id, (f, page) => ({ rect: moveRect(from ?? f.rect, page, dx, dy) }));
	}

	/** L2: a resize from the bottom-right corner as seen on screen. */
	resize(id: string, dw: number, dh: number, from?: Rect): void {
		this.#update(id, (f, page) => ({ rect: resizeRect(from ?? f.rect, page, dw, dh) }));
	}

	setRequired(id: string, required: boolean): void {
		this.#update(id, () => ({ required }));
	}

	setSigner(id: string, signerId: string): void {
		if (!this.signers.some((s) => s.id === signerId)) return;
		this.#update(id, () => ({ signerId }));
	}

	remove(id: string): void {
		const index = this.fields.findIndex((f) => f.id === id);
		if (index < 0) return;
		this.fields.splice(index, 1);
		if (this.selectedId === id) this.selectedId = null;
		this.dirty = true;
	}

	/** L4: copies the field to every other page; returns how many were added. */
	copyToAll(id: string): number {
		const field = this.fields.find((f) => f.id === id);
		if (!field) return 0;
		const copies = copyToAllPages(field, this.pages, () => newFieldId());
		this.fields.push(...copies);
		if (copies.length) this.dirty = true;
		return copies.length;
	}

	/** L6: adds a template's fields to the layout; returns added and skipped counts. */
	applyTemplate(template: readonly TemplateField[]): { added: number; skipped: number } {
		const { fields, skipped } = applyTemplate(template, this.signers, this.pages, () =>
			newFieldId()
		);
		this.fields.push(...fields);
		if (fields.length) this.dirty = true;
		return { added: fields.length, skipped };
	}
}
