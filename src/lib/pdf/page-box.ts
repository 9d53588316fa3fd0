/**
 * The page as displayed (PG1): the visible box of a page (its CropBox clipped to its MediaBox)
 * turned by its /Rotate. Every position the app stores — field rects, seal centres, seam
 * slices — is in these displayed-page coordinates (points, origin at the displayed page's
 * lower-left corner, y up), because that is the page the admin and the signer see in pdf.js.
 * Inspection reports the displayed size; render() maps displayed coordinates back to the PDF's
 * user space with `displayToUser`. One module, so both read a page the same way pdf.js does.
 */
import type { PDFPage } from '@cantoo/pdf-lib';
import type { Rect } from '$lib/domain/envelope';

export type Rotation = 0 | 90 | 180 | 270;

/** What placing marks on a page needs: its visible box in user space and its turn. */
export interface PageBox {
	/** The visible box in user space (CropBox ∩ MediaBox), corners in order. */
	visible: Rect;
	/** Clockwise turn of the page when displayed (/Rotate, normalised). */
	rotate: Rotation;
}

/** A PDF affine matrix [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Matrix = readonly [number, number, number, number, number, number];

/**
 * /Rotate as viewers read it: a multiple of 90 taken modulo 360 (−90 is 270); anything else
 * (missing, 45, not a number) counts as 0, as in pdf.js, so we never disagree with the view.
 */
export function normaliseRotation(value: unknown): Rotation {
	if (typeof value !== 'number' || !Number.isInteger(value) || value % 90 !== 0) return 0;
	return (((value % 360) + 360) % 360) as Rotation;
}

/** A box from two opposite corners given in either order (ISO 32000-1 §7.9.5). */
export function boxFromCorners(x1: number, y1: number, x2: number, y2: number): Rect {
	return {
		x: Math.min(x1, x2),
		y: Math.min(y1, y2),
		width: Math.abs(x1 - x2),
		height: Math.abs(y1 - y2)
	};
}

/**
 * The visible box: the CropBox clipped to the MediaBox, or the MediaBox when there is no CropBox
 * or the two do not overlap — the same choice as pdf.js's `view`, so a field the admin placed on
 * the drawn page is measured from the same corner render() uses.
 */
export function visibleBox(media: Rect, crop: Rect | undefined): Rect {
	if (!crop) return media;
	const x1 = Math.max(media.x, crop.x);
	const y1 = Math.max(media.y, crop.y);
	const x2 = Math.min(media.x + media.width, crop.x + crop.width);
	const y2 = Math.min(media.y + media.height, crop.y + crop.height);
	if (!(x2 > x1 && y2 > y1)) return media;
	return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** The displayed page's size: the visible box, width and height swapped when turned a quarter. */
export function displayedSize({ visible, rotate }: PageBox): { width: number; height: number } {
	return rotate === 90 || rotate === 270
		? { width: visible.height, height: visible.width }
		: { width: visible.width, height: visible.height };
}

/**
 * The matrix from displayed-page coordinates to the PDF's user space. Drawn under it, a mark
 * lands where it was placed on the displayed page and stands upright there, whatever the turn:
 * /Rotate turns the page clockwise for display, so user space is displayed space turned back.
 */
export function displayToUser({ visible, rotate }: PageBox): Matrix {
	const { x, y, width, height } = visible;
	switch (rotate) {
		case 0:
			return [1, 0, 0, 1, x, y];
		case 90:
			// Displayed top-left is the user lower-left; displayed right runs up the user's y.
			return [0, 1, -1, 0, x + width, y];
		case 180:
			return [-1, 0, 0, -1, x + width, y + height];
		case 270:
			// Displayed top-left is the user upper-right; displayed right runs down the user's y.
			return [0, -1, 1, 0, x, y + height];
	}
}

/** Applies a matrix to a point. */
export function applyMatrix(m: Matrix, px: number, py: number): { x: number; y: number } {
	return { x: m[0] * px + m[2] * py + m[4], y: m[1] * px + m[3] * py + m[5] };
}

/** A pdf-lib page's visible box and turn, inherited attributes included. */
export function pdfLibPageBox(page: PDFPage): PageBox {
	const corners = (r: Rect) => boxFromCorners(r.x, r.y, r.x + r.width, r.y + r.height);
	const media = corners(page.getMediaBox());
	const crop = page.node.CropBox() ? corners(page.getCropBox()) : undefined;
	let rotate: unknown;
	try {
		rotate = page.node.Rotate()?.asNumber();
	} catch {
		// A /Rotate that is not a number: viewers ignore it, and so do we.
	}
	return { visible: visibleBox(media, crop), rotate: normaliseRotation(rotate) };
}
