/**
 * Geometry of the contract view: where a field (PDF points, origin bottom-left) lands on a page
 * drawn at some scale (CSS pixels, origin top-left), which pages to draw around the viewport,
 * and the order in which a signer is walked through their fields. Pure, so it is unit-tested.
 */
import type { Envelope, Field, PageSize, Rect } from './envelope';

/** A box in CSS pixels relative to the page's top-left corner. */
export interface CssBox {
	left: number;
	top: number;
	width: number;
	height: number;
}

/**
 * Converts a field's rectangle to a CSS box on its page drawn at `scale` CSS px per point.
 * Why: PDF y grows upwards from the bottom edge while CSS top grows downwards, so the top is
 * the page height minus the rect's upper edge. Rects are on the page as displayed (SPEC PG1:
 * /Rotate and the CropBox already applied), which is exactly what pdf.js's viewport draws, so
 * no turn is needed here.
 */
export function rectToCssBox(rect: Rect, page: PageSize, scale: number): CssBox {
	return {
		left: rect.x * scale,
		top: (page.height - (rect.y + rect.height)) * scale,
		width: rect.width * scale,
		height: rect.height * scale
	};
}

/** A page's size in CSS pixels at `scale`: the stand-in box that keeps scrolling stable before a page is drawn. */
export function pageCssSize(page: PageSize, scale: number): { width: number; height: number } {
	return { width: page.width * scale, height: page.height * scale };
}

export const MIN_SCALE = 0.25;
export const MAX_SCALE = 4;

/** Keeps a zoom level inside what is readable and what a phone's canvas can hold. */
export function clampScale(scale: number): number {
	return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/**
 * The scale at which the widest page fills `availableWidth` CSS pixels. Why the widest: one
 * scale for every page keeps field sizes comparable and mixed-size contracts never overflow.
 */
export function fitWidthScale(pages: readonly PageSize[], availableWidth: number): number {
	const widest = Math.max(1, ...pages.map((p) => p.width));
	return clampScale(Math.max(1, availableWidth) / widest);
}

/** Beyond this a fitted A4 page is larger than print on a desktop screen; zoom goes further. */
export const MAX_FIT_WIDTH = 900;
/** The room the signer's view leaves beside a fitted page (its list's padding and shadow). */
const FIT_PADDING = 16;

/**
 * The signer's fit-width scale for a page list `listWidth` CSS pixels wide. The app's view and
 * the boot script that draws page 1 before the app both use it, so the page the boot draws has
 * exactly the size the view will give it.
 */
export function signerFitScale(pages: readonly PageSize[], listWidth: number): number {
	return fitWidthScale(pages, Math.min(listWidth - FIT_PADDING, MAX_FIT_WIDTH));
}

/** Canvas backing stores above this many pixels fail or crawl on phones; zoom is capped by it. */
const MAX_CANVAS_PIXELS = 16_777_216;

/**
 * Device pixels per CSS pixel for a page's canvas of `cssWidth` × `cssHeight`: the screen's
 * ratio (sharp on high-DPI screens), lowered so the bitmap stays under MAX_CANVAS_PIXELS.
 */
export function canvasPixelRatio(cssWidth: number, cssHeight: number, screenRatio: number): number {
	const cap = Math.sqrt(MAX_CANVAS_PIXELS / (cssWidth * cssHeight));
	return Math.min(screenRatio || 1, cap);
}

/**
 * Pages to keep drawn: every visible page and one on each side, so scrolling a little shows a
 * ready page while a long contract never holds more than a handful of canvases.
 */
export function pagesToRender(visible: Iterable<number>, pageCount: number): Set<number> {
	const out = new Set<number>();
	for (const n of visible) {
		for (const m of [n - 1, n, n + 1]) if (m >= 1 && m <= pageCount) out.add(m);
	}
	return out;
}

/**
 * Pages drawn earlier to free now: those neither drawn nor near the keep zone (`kept`, the pages
 * within a screen or so of the viewport, and their neighbours). Freeing only far pages, not every
 * page that leaves the drawing look-ahead, means a small layout shift or scroll never blanks a
 * page the reader is looking at: it once freed page 1 right after drawing it, when the signing
 * tools mounted above it and pushed it just past the look-ahead.
 */
export function pagesToFree(
	drawn: Iterable<number>,
	draw: ReadonlySet<number>,
	kept: Iterable<number>,
	pageCount: number
): number[] {
	const keep = pagesToRender(kept, pageCount);
	return [...drawn].filter((n) => !draw.has(n) && !keep.has(n));
}

/** Whether two rects share some height: side by side on one line as a reader sees them. */
function sameLine(a: Rect, b: Rect): boolean {
	return a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * The fields a signer is walked through, in reading order: by page; on a page, fields that sit
 * side by side (their heights overlap, like a signature box next to a seal) left to right,
 * otherwise top to bottom (higher y first, since y grows upwards). Riding-seam fields are
 * excluded: they span pages and are placed with the stamp tools, not visited one by one.
 */
export function fieldsForSigner(envelope: Envelope, signerIds: readonly string[]): Field[] {
	const mine = new Set(signerIds);
	return envelope.fields
		.filter((f) => mine.has(f.signerId) && f.kind !== 'riding-seam')
		.sort(
			(a, b) =>
				a.page - b.page ||
				(sameLine(a.rect, b.rect)
					? a.rect.x - b.rect.x
					: b.rect.y + b.rect.height - (a.rect.y + a.rect.height)) ||
				a.id.localeCompare(b.id)
		);
}

/**
 * Every field a signer is counted and walked through (the next-field bar: "Field 2 of 3"): the
 * fields on the pages in reading order, then the riding-seam fields, which span pages and are
 * stamped once the pages are done. A riding seam the contract asks for is a step like any other;
 * leaving it out told the signer they were done while a required field was still empty. Last,
 * so every on-page field has the same index here as in fieldsForSigner (the pages' overlays).
 */
export function signingSteps(envelope: Envelope, signerIds: readonly string[]): Field[] {
	const mine = new Set(signerIds);
	const seams = envelope.fields
		.filter((f) => mine.has(f.signerId) && f.kind === 'riding-seam')
		.sort((a, b) => a.page - b.page || a.id.localeCompare(b.id));
	return [...fieldsForSigner(envelope, signerIds), ...seams];
}
