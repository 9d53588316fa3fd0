/**
 * The field editor's rules (SPEC "Field layout (L)"): keeping fields inside their pages, keyboard
 * moves and resizes, copying to all pages, templates, keeping fields over a replaced document,
 * and whether a contract is ready to send. Pure: the editor page, the server's save and send
 * endpoints and the tests all run the same code, so a layout the editor accepts is the layout
 * the server stores. Geometry is in PDF points, origin bottom-left (envelope.ts).
 */
import type { Field, FieldKind, PageSize, Rect, Signer } from './envelope';

/** Smallest field side in points (≈ 4 mm): anything smaller cannot be hit with a finger. */
export const MIN_FIELD_PT = 12;

/** Default sizes of a newly placed field, in points, per kind. */
export const DEFAULT_FIELD_SIZE: Readonly<Record<FieldKind, { width: number; height: number }>> =
	Object.freeze({
		signature: { width: 160, height: 56 },
		seal: { width: 120, height: 120 },
		date: { width: 110, height: 24 },
		'riding-seam': { width: 60, height: 120 }
	});

export const FIELD_KINDS: readonly FieldKind[] = ['signature', 'seal', 'date', 'riding-seam'];

/** Two decimals: stored geometry never carries float noise the signer's manifest must copy (R7). */
function round(n: number): number {
	return Math.round(n * 100) / 100;
}

/**
 * L1: a rectangle made to fit its page. Sides are at least MIN_FIELD_PT and at most the page's;
 * the rectangle is then moved (never shrunk further) so it lies wholly inside the page. Why:
 * R14/R15 refuse marks outside the page, so a field outside it could never be filled.
 */
export function clampRect(rect: Rect, page: PageSize): Rect {
	const finite = (n: number, fallback: number) => (Number.isFinite(n) ? n : fallback);
	const width = Math.min(page.width, Math.max(MIN_FIELD_PT, finite(rect.width, MIN_FIELD_PT)));
	const height = Math.min(page.height, Math.max(MIN_FIELD_PT, finite(rect.height, MIN_FIELD_PT)));
	const x = Math.min(page.width - width, Math.max(0, finite(rect.x, 0)));
	const y = Math.min(page.height - height, Math.max(0, finite(rect.y, 0)));
	return { x: round(x), y: round(y), width: round(width), height: round(height) };
}

/** L1: whether a rectangle already lies wholly inside its page (what readiness checks). */
export function insidePage(rect: Rect, page: PageSize): boolean {
	const eps = 1e-6;
	return (
		rect.width >= MIN_FIELD_PT - eps &&
		rect.height >= MIN_FIELD_PT - eps &&
		rect.x >= -eps &&
		rect.y >= -eps &&
		rect.x + rect.width <= page.width + eps &&
		rect.y + rect.height <= page.height + eps
	);
}

/**
 * L2: moves a rectangle by a screen-direction step (dx right, dy down, in points), then clamps
 * it (L1). Why screen directions: the arrow keys and a pointer drag both think top-down, while
 * PDF y grows upwards.
 */
export function moveRect(rect: Rect, page: PageSize, dx: number, dy: number): Rect {
	return clampRect({ ...rect, x: rect.x + dx, y: rect.y - dy }, page);
}

/**
 * L2: resizes a rectangle from its bottom-right corner as seen on screen (dw wider, dh taller),
 * keeping its top-left corner where it is, then clamps it (L1).
 */
export function resizeRect(rect: Rect, page: PageSize, dw: number, dh: number): Rect {
	const top = rect.y + rect.height;
	const width = Math.max(MIN_FIELD_PT, rect.width + dw);
	const height = Math.min(top, Math.max(MIN_FIELD_PT, rect.height + dh));
	return clampRect({ x: rect.x, y: top - height, width, height }, page);
}

/**
 * L3: a field placed where the user pointed: the default size of its kind centred on the point
 * (a riding-seam field snaps to the nearer side edge, where the seam seal is stamped), clamped
 * to the page (L1).
 */
export function placeRect(kind: FieldKind, page: PageSize, centre: { x: number; y: number }): Rect {
	const size = DEFAULT_FIELD_SIZE[kind];
	const x =
		kind === 'riding-seam'
			? centre.x < page.width / 2
				? 0
				: page.width - size.width
			: centre.x - size.width / 2;
	return clampRect({ x, y: centre.y - size.height / 2, ...size }, page);
}

/**
 * L4: copies of a field on every other page of the document, at the same position clamped to
 * each page (L1), with ids from `idFor(page)`. A riding-seam field already spans every page and
 * is not copied (empty result).
 */
export function copyToAllPages(
	field: Field,
	pages: readonly PageSize[],
	idFor: (page: number) => string
): Field[] {
	if (field.kind === 'riding-seam') return [];
	return pages.flatMap((size, i) => {
		const page = i + 1;
		if (page === field.page) return [];
		return [{ ...field, id: idFor(page), page, rect: clampRect(field.rect, size) }];
	});
}

/** A field of a template: its signer is a position in the signing list, not a person. */
export interface TemplateField {
	kind: FieldKind;
	/** 0-based index of the signer in the contract's signer list (by order, then list position). */
	signerIndex: number;
	page: number;
	rect: Rect;
	required: boolean;
}

/** Signers in the order templates refer to them: by order number, then as listed. */
function signerSlots(signers: readonly Signer[]): Signer[] {
	return signers
		.map((s, i) => ({ s, i }))
		.sort((a, b) => a.s.order - b.s.order || a.i - b.i)
		.map(({ s }) => s);
}

/**
 * L5: a layout turned into a template: each field names its signer by slot (L5 order: order
 * number, then list position), so it can be applied to a contract with other people. Fields of
 * unknown signers are left out.
 */
export function templateFromFields(
	fields: readonly Field[],
	signers: readonly Signer[]
): TemplateField[] {
	const slots = signerSlots(signers).map((s) => s.id);
	return fields.flatMap((f) => {
		const signerIndex = slots.indexOf(f.signerId);
		if (signerIndex < 0) return [];
		return [{ kind: f.kind, signerIndex, page: f.page, rect: { ...f.rect }, required: f.required }];
	});
}

/**
 * L6: a template applied to a contract: fields whose page exists and whose signer slot exists,
 * clamped to the page (L1); the rest are counted as skipped so the editor can say so.
 */
export function applyTemplate(
	template: readonly TemplateField[],
	signers: readonly Signer[],
	pages: readonly PageSize[],
	idFor: (index: number) => string
): { fields: Field[]; skipped: number } {
	const slots = signerSlots(signers);
	const fields: Field[] = [];
	let skipped = 0;
	template.forEach((t, i) => {
		const page = pages[t.page - 1];
		const signer = slots[t.signerIndex];
		if (!page || !signer || !Number.isInteger(t.page)) {
			skipped++;
			return;
		}
		fields.push({
			id: idFor(i),
			kind: t.kind,
			signerId: signer.id,
			page: t.page,
			rect: clampRect(t.rect, page),
			required: t.required
		});
	});
	return { fields, skipped };
}

/**
 * L7: the fields kept when the document is replaced by a new revision: those whose page still
 * exists, clamped to the new page size (L1); the ids of the dropped ones are returned.
 */
export function keepFieldsOnReplace(
	fields: readonly Field[],
	pages: readonly PageSize[]
): { fields: Field[]; dropped: string[] } {
	const kept: Field[] = [];
	const dropped: string[] = [];
	for (const f of fields) {
		const page = pages[f.page - 1];
		if (!page || (f.kind === 'riding-seam' && pages.length < 2)) dropped.push(f.id);
		else kept.push({ ...f, rect: clampRect(f.rect, page) });
	}
	return { fields: kept, dropped };
}

export type ReadinessProblem =
	| { code: 'NO_SIGNERS' }
	| { code: 'SIGNER_WITHOUT_FIELD'; signerId: string }
	| { code: 'FIELD_SIGNER_UNKNOWN'; fieldId: string }
	| { code: 'FIELD_PAGE_MISSING'; fieldId: string }
	| { code: 'FIELD_OUTSIDE_PAGE'; fieldId: string }
	| { code: 'RIDING_SEAM_ONE_PAGE'; fieldId: string }
	| { code: 'DUPLICATE_FIELD_ID'; fieldId: string };

/**
 * L8: every reason a contract cannot be sent yet, in a stable order (signers first, then each
 * field in list order); empty means ready. A contract is ready when it has signers, every
 * signer has at least one required field (a signer with nothing required could "sign" an
 * untouched document), field ids are unique, and every field names a known signer and lies
 * inside an existing page (a riding seam needs two pages, R15).
 */
export function readinessProblems(input: {
	pages: readonly PageSize[];
	signers: readonly Signer[];
	fields: readonly Field[];
}): ReadinessProblem[] {
	const problems: ReadinessProblem[] = [];
	if (input.signers.length === 0) problems.push({ code: 'NO_SIGNERS' });
	for (const s of input.signers) {
		if (!input.fields.some((f) => f.signerId === s.id && f.required)) {
			problems.push({ code: 'SIGNER_WITHOUT_FIELD', signerId: s.id });
		}
	}
	const known = new Set(input.signers.map((s) => s.id));
	const seen = new Set<string>();
	for (const f of input.fields) {
		if (seen.has(f.id)) problems.push({ code: 'DUPLICATE_FIELD_ID', fieldId: f.id });
		seen.add(f.id);
		if (!known.has(f.signerId)) problems.push({ code: 'FIELD_SIGNER_UNKNOWN', fieldId: f.id });
		const page = Number.isInteger(f.page) ? input.pages[f.page - 1] : undefined;
		if (!page) problems.push({ code: 'FIELD_PAGE_MISSING', fieldId: f.id });
		else if (!insidePage(f.rect, page))
			problems.push({ code: 'FIELD_OUTSIDE_PAGE', fieldId: f.id });
		if (f.kind === 'riding-seam' && input.pages.length < 2) {
			problems.push({ code: 'RIDING_SEAM_ONE_PAGE', fieldId: f.id });
		}
	}
	return problems;
}

/** Distinct, print-safe colours per signer slot; the editor and the progress page agree on them. */
export const SIGNER_COLOURS = [
	'#1f6feb',
	'#c2410c',
	'#15803d',
	'#7c3aed',
	'#be185d',
	'#0e7490',
	'#a16207',
	'#4d7c0f'
] as const;

/** The colour of a signer by its position in the signer list (wraps after eight signers). */
export function signerColour(index: number): string {
	return SIGNER_COLOURS[
		((index % SIGNER_COLOURS.length) + SIGNER_COLOURS.length) % SIGNER_COLOURS.length
	]!;
}
