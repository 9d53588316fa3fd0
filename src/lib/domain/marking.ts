/**
 * The rules of marking a contract before confirmation: which signer of the device marks, when a
 * field counts as done, where a free seal may go, how a riding seam is sliced across pages, the
 * date text, and how big a drawn signature is exported. Pure (no clock, no DOM), so the contract
 * view and the tests share one answer, and the answers match what validateManifest() and
 * render() will later say about the composed manifest.
 */
import { mmToPt, type Envelope, type Field, type PageSize, type Rect } from './envelope';
import type { Draft, DraftFill } from './draft';
import type { FreeSeal, Manifest, RidingSeam, SizeMm } from './manifest';
import { filledFields, isSignersTurn, seamPages } from './rules';
import { currentRound } from './lifecycle';

/**
 * Date text as Chinese contracts write it, e.g. 2026年11月30日 (K1). Takes the calendar date
 * parts, not a Date, so the caller decides whose calendar day it is (the device's local day).
 */
export function chineseDateText(year: number, month: number, day: number): string {
	return `${year}年${month}月${day}日`;
}

/** The device's local calendar day of `now` as date text (K1); the clock is the caller's. */
export function localDateText(now: Date): string {
	return chineseDateText(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

/** Date text bounds of R18: what the manifest schema accepts. */
export const DATE_TEXT_MAX = 40;

/** Whether typed date text would pass R18 (1–40 characters after trimming). */
export function validDateText(text: string): boolean {
	const n = [...text.trim()].length;
	return n >= 1 && n <= DATE_TEXT_MAX;
}

/**
 * Which of the user's signers marks this contract now (K2): the first, in signing order, who has
 * not decided yet and whose turn it is (R9, R10). Null when none may act: the view then shows the
 * contract without marking tools rather than offering marks the server would refuse.
 */
export function signerToMark(
	envelope: Envelope,
	accepted: readonly Manifest[],
	mySignerIds: readonly string[]
): string | null {
	// Only the current round's decisions count (LC2): a returner decides again after a resend.
	const decided = new Set(currentRound(envelope, accepted).map((m) => m.signerId));
	const mine = envelope.signers
		.filter((s) => mySignerIds.includes(s.id) && !decided.has(s.id))
		.sort((a, b) => a.order - b.order);
	return mine.find((s) => isSignersTurn(envelope, accepted, s.id))?.id ?? null;
}

/**
 * Whether the draft fills a field (K3): a fill under its id of the field's kind, or, for a
 * riding-seam field, a riding seam naming it (C2). The next-field bar counts these as done.
 */
export function isFieldFilled(field: Field, draft: Draft): boolean {
	if (field.kind === 'riding-seam') return draft.ridingSeams.some((s) => s.fieldId === field.id);
	const fill: DraftFill | undefined = draft.fills[field.id];
	if (!fill || fill.kind !== field.kind) return false;
	return fill.kind !== 'date' || validDateText(fill.text);
}

/**
 * The required fields of `signerId` the draft leaves empty (K4 = R11 seen from the device): what
 * still stands between the signer and 确认签署. Fields already filled by accepted manifests are
 * not the signer's to fill again (R8), so they are not asked for.
 */
export function missingRequired(
	envelope: Envelope,
	accepted: readonly Manifest[],
	signerId: string,
	draft: Draft
): Field[] {
	const taken = filledFields(currentRound(envelope, accepted));
	return envelope.fields.filter(
		(f) => f.signerId === signerId && f.required && !taken.has(f.id) && !isFieldFilled(f, draft)
	);
}

/** A seal's real size in PDF points. */
export function sizeInPoints(size: SizeMm): { width: number; height: number } {
	return { width: mmToPt(size.width), height: mmToPt(size.height) };
}

/**
 * Keeps a free seal's centre where the whole seal lies on the page (R14, K5): each coordinate is
 * clamped to [half size, page − half size]. A seal larger than the page in one direction (no
 * valid place exists) is centred in that direction; R14 then still refuses it on confirmation.
 */
export function clampSealCentre(
	centre: { x: number; y: number },
	size: SizeMm,
	page: PageSize
): { x: number; y: number } {
	const { width, height } = sizeInPoints(size);
	const clamp = (v: number, half: number, extent: number) =>
		half * 2 > extent ? extent / 2 : Math.min(extent - half, Math.max(half, v));
	return { x: clamp(centre.x, width / 2, page.width), y: clamp(centre.y, height / 2, page.height) };
}

/** Arrow-key steps for a focused free seal (K6): 1 mm, or 10 mm with Shift. */
export const SEAL_STEP_PT = mmToPt(1);
export const SEAL_BIG_STEP_PT = mmToPt(10);

/**
 * Moves a free seal by a step given in screen directions (right, down = positive) and clamps it
 * (K6). Why screen directions: the keys and the drag speak screen; PDF y grows upwards.
 */
export function nudgeSeal(
	seal: FreeSeal,
	dxScreen: number,
	dyScreen: number,
	page: PageSize
): FreeSeal {
	const centre = clampSealCentre(
		{ x: seal.centre.x + dxScreen, y: seal.centre.y - dyScreen },
		seal.sizeMm,
		page
	);
	return { ...seal, centre };
}

/**
 * The vertical positions (0 = bottom, 1 = top) at which the whole seal height fits on every page
 * of a seam (R15, K7). Null when no position fits some page (a seal taller than a page).
 */
export function seamPositionRange(
	size: SizeMm,
	pages: readonly PageSize[]
): { min: number; max: number } | null {
	const h = sizeInPoints(size).height;
	let min = 0;
	let max = 1;
	for (const page of pages) {
		min = Math.max(min, h / 2 / page.height);
		max = Math.min(max, 1 - h / 2 / page.height);
	}
	return min <= max ? { min, max } : null;
}

/** A position clamped into seamPositionRange (K7); unchanged when no range exists. */
export function clampSeamPosition(
	position: number,
	size: SizeMm,
	pages: readonly PageSize[]
): number {
	const range = seamPositionRange(size, pages);
	if (!range) return position;
	return Math.min(range.max, Math.max(range.min, position));
}

/** One page's part of a riding seam: the visible slice and where the whole image sits. */
export interface SeamSlice {
	page: number;
	/** 0-based index of the page among the seam's pages. */
	index: number;
	/** Which slice of the seal from the left (0-based) this page shows. */
	sliceFromLeft: number;
	/** The visible part, in PDF points of the page (origin bottom-left). */
	clip: Rect;
	/** The whole seal image, positioned so that `clip` cuts out this page's slice. */
	image: Rect;
}

/**
 * Where each page of a riding seam shows its slice (P3, K8), with exactly render()'s rule: over n
 * pages each page shows width w/n at the chosen edge; at the right edge page k shows the k-th
 * slice from the left, at the left edge the k-th from the right; all slices make the whole seal.
 */
export function seamSlices(
	seam: Pick<RidingSeam, 'pages' | 'edge' | 'position' | 'sizeMm'>,
	pageSizes: readonly PageSize[]
): SeamSlice[] {
	const list = seamPages(seam.pages, pageSizes.length);
	const { width, height } = sizeInPoints(seam.sizeMm);
	const n = list.length;
	const slice = width / n;
	return list.flatMap((pageNo, i) => {
		const box = pageSizes[pageNo - 1];
		if (!box) return [];
		const y = seam.position * box.height - height / 2;
		const clipX = seam.edge === 'right' ? box.width - slice : 0;
		const imageX = seam.edge === 'right' ? clipX - i * slice : -(n - 1 - i) * slice;
		return [
			{
				page: pageNo,
				index: i,
				sliceFromLeft: seam.edge === 'right' ? i : n - 1 - i,
				clip: { x: clipX, y, width: slice, height },
				image: { x: imageX, y, width, height }
			}
		];
	});
}

/**
 * Reads a page list typed by the signer, e.g. "1-3, 5" (K9): ascending, without duplicates,
 * every page in range, at least two pages (R15). Returns null for anything else, so the seam is
 * never set to pages the server would refuse.
 */
export function parsePageList(text: string, pageCount: number): number[] | null {
	const pages = new Set<number>();
	const parts = text
		.split(/[,，、\s]+/)
		.map((p) => p.trim())
		.filter(Boolean);
	for (const part of parts) {
		const range = /^(\d+)(?:\s*[-–~～至]\s*(\d+))?$/.exec(part);
		if (!range) return null;
		const from = Number(range[1]);
		const to = range[2] === undefined ? from : Number(range[2]);
		if (from < 1 || to > pageCount || from > to) return null;
		for (let p = from; p <= to; p++) pages.add(p);
	}
	const list = [...pages].sort((a, b) => a - b);
	return list.length >= 2 ? list : null;
}

/** A page list in the short form parsePageList reads, e.g. [1,2,3,5] → "1-3, 5". */
export function formatPageList(pages: readonly number[]): string {
	const out: string[] = [];
	let start = pages[0];
	for (let i = 1; i <= pages.length; i++) {
		const prev = pages[i - 1]!;
		if (pages[i] === prev + 1) continue;
		out.push(start === prev ? `${prev}` : `${start}-${prev}`);
		start = pages[i];
	}
	return out.join(', ');
}

/**
 * The defaults of a riding seam that fills a riding-seam field (K10): the edge nearer the field's
 * rectangle and the field's vertical centre, clamped so the seal fits (R15); every page.
 */
export function seamForField(
	field: Field,
	pageSizes: readonly PageSize[],
	seal: { sealId: string; image: string; sizeMm: SizeMm }
): RidingSeam {
	const page = pageSizes[field.page - 1] ?? pageSizes[0]!;
	const edge = field.rect.x + field.rect.width / 2 >= page.width / 2 ? 'right' : 'left';
	const position = (field.rect.y + field.rect.height / 2) / page.height;
	return {
		...seal,
		pages: 'all',
		edge,
		position: clampSeamPosition(position, seal.sizeMm, pageSizes),
		fieldId: field.id
	};
}

/**
 * A riding seam placed freely (K10): the right edge, where a bound contract's pages fan out,
 * at mid height (clamped by K7), over all pages.
 */
export function freeSeam(
	pageSizes: readonly PageSize[],
	seal: { sealId: string; image: string; sizeMm: SizeMm }
): RidingSeam {
	return {
		...seal,
		pages: 'all',
		edge: 'right',
		position: clampSeamPosition(0.5, seal.sizeMm, pageSizes)
	};
}

/** A drawn signature is printed at most this size (mm): the usual signature field. */
export const SIGNATURE_PRINT_MM = { width: 60, height: 20 };
/** Print resolution a drawn signature must reach in that field (dots per inch). */
export const SIGNATURE_MIN_DPI = 300;
/** Beyond this the extra pixels only add upload bytes. */
export const SIGNATURE_MAX_DPI = 600;

/**
 * The factor by which trimmed signature ink of `width` × `height` pixels is scaled for export
 * (K11): enough pixels that fitted into a 60 × 20 mm field (P6) it prints at ≥ 300 dpi, and no
 * more than 600 dpi there, so a signature prints crisply without bloating the upload.
 */
export function signatureExportScale(width: number, height: number): number {
	const dots = (mm: number, dpi: number) => (mm / 25.4) * dpi;
	// Fitted into the field keeping its aspect ratio, the ink is limited by one side.
	const fit = (dpi: number) =>
		Math.min(
			dots(SIGNATURE_PRINT_MM.width, dpi) / width,
			dots(SIGNATURE_PRINT_MM.height, dpi) / height
		);
	const need = fit(SIGNATURE_MIN_DPI);
	const cap = fit(SIGNATURE_MAX_DPI);
	return need > 1 ? need : Math.min(1, cap);
}

/**
 * The smallest rectangle holding every pixel with alpha above `threshold` in RGBA data, widened
 * by `pad` pixels and kept inside the image (K12). Null for an image with no ink.
 */
export function inkBounds(
	rgba: ArrayLike<number>,
	width: number,
	height: number,
	pad = 0,
	threshold = 0
): { x: number; y: number; width: number; height: number } | null {
	let minX = width;
	let minY = height;
	let maxX = -1;
	let maxY = -1;
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			if (rgba[(y * width + x) * 4 + 3]! > threshold) {
				if (x < minX) minX = x;
				if (x > maxX) maxX = x;
				if (y < minY) minY = y;
				if (y > maxY) maxY = y;
			}
		}
	}
	if (maxX < 0) return null;
	const x = Math.max(0, minX - pad);
	const y = Math.max(0, minY - pad);
	return {
		x,
		y,
		width: Math.min(width, maxX + 1 + pad) - x,
		height: Math.min(height, maxY + 1 + pad) - y
	};
}

/** The signature fields of a signer (one-click sign fills these). */
export function fieldsOfKind(envelope: Envelope, signerId: string, kind: Field['kind']): Field[] {
	return envelope.fields.filter((f) => f.signerId === signerId && f.kind === kind);
}

/**
 * Whether a seal of `size` centred on a seal field lies wholly on its page (R14): the one-click
 * stamp skips a field where it would not, rather than making a manifest the server refuses.
 */
export function sealFitsField(field: Field, size: SizeMm, page: PageSize): boolean {
	const { width, height } = sizeInPoints(size);
	const cx = field.rect.x + field.rect.width / 2;
	const cy = field.rect.y + field.rect.height / 2;
	const eps = 1e-6;
	return (
		cx - width / 2 >= -eps &&
		cy - height / 2 >= -eps &&
		cx + width / 2 <= page.width + eps &&
		cy + height / 2 <= page.height + eps
	);
}

/**
 * How close to a page's right edge a dragged seal's centre must come to be dropped as a riding
 * seam (RD1): 15 mm, about a third of a company seal, so a finger reaches it on a phone page
 * without a seal placed near the margin turning into a seam by accident.
 */
export const SEAM_DROP_ZONE_PT = mmToPt(15);

/**
 * Whether a seal dragged to centre x (PDF points, unclamped, so it may lie past the edge) on a
 * page is over the riding-seam drop zone (RD1). A one-page document has none: a seam needs two
 * pages (R15).
 */
export function inSeamDropZone(x: number, page: PageSize, pageCount: number): boolean {
	return pageCount >= 2 && x >= page.width - SEAM_DROP_ZONE_PT;
}

/**
 * The riding seam a seal dropped in the zone becomes (RD2): the same seal at the right edge over
 * all pages, its centre at the drop's height (clamped, K7), filling the signer's first riding-seam
 * field that is not filled yet, as the panel's button would (K10); else a free seam.
 */
export function seamFromDrop(
	seal: Pick<FreeSeal, 'sealId' | 'image' | 'sizeMm'>,
	y: number,
	page: PageSize,
	pageSizes: readonly PageSize[],
	openSeamFields: readonly Field[]
): RidingSeam {
	const seam: RidingSeam = {
		sealId: seal.sealId,
		image: seal.image,
		sizeMm: { ...seal.sizeMm },
		pages: 'all',
		edge: 'right',
		position: clampSeamPosition(y / page.height, seal.sizeMm, pageSizes)
	};
	const field = openSeamFields.find((f) => f.kind === 'riding-seam');
	return field ? { ...seam, fieldId: field.id } : seam;
}
