/**
 * The crop box of a photo seal (SP7), in the photo's own pixels. Pure geometry, so the pointer,
 * touch and keyboard paths of the page share one rule and a test can prove the box never leaves
 * the photo, never collapses and keeps its proportions when they are locked.
 */

export interface CropBox {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** A corner of the box that the pointer drags; the opposite corner stays where it is. */
export type CropHandle = 'nw' | 'ne' | 'sw' | 'se';

/** Smallest side of a crop box, in photo pixels: smaller than this is no seal at all. */
export const CROP_MIN_PX = 16;

/** Share of the photo's shorter fitting side the first box takes: the seal is usually central. */
const DEFAULT_SHARE = 0.8;

/**
 * The first box (SP7): centred, with the given width ÷ height (null: the photo's own), as large
 * as 80 % of the photo allows. Why centred: a phone photo of a seal is framed on the seal.
 */
export function defaultCrop(
	imageWidth: number,
	imageHeight: number,
	aspect: number | null
): CropBox {
	const ratio = aspect ?? imageWidth / imageHeight;
	let width = Math.min(imageWidth, imageHeight * ratio) * DEFAULT_SHARE;
	let height = width / ratio;
	width = Math.max(Math.min(width, imageWidth), Math.min(CROP_MIN_PX, imageWidth));
	height = Math.max(Math.min(height, imageHeight), Math.min(CROP_MIN_PX, imageHeight));
	return { x: (imageWidth - width) / 2, y: (imageHeight - height) / 2, width, height };
}

/**
 * Moves the box by (dx, dy) photo pixels, stopped at the photo's edges (SP7): dragging past an
 * edge slides along it instead of losing the box.
 */
export function moveCrop(
	box: CropBox,
	dx: number,
	dy: number,
	imageWidth: number,
	imageHeight: number
): CropBox {
	return {
		...box,
		x: clamp(box.x + dx, 0, Math.max(0, imageWidth - box.width)),
		y: clamp(box.y + dy, 0, Math.max(0, imageHeight - box.height))
	};
}

/**
 * Resizes the box by dragging one corner by (dx, dy) (SP7). The opposite corner stays fixed; the
 * box stays inside the photo and at least CROP_MIN_PX (or the photo, if smaller) on each side.
 * With a locked aspect (width ÷ height), the larger of the two movements decides the size, so a
 * drag along either axis works, and the proportions hold exactly.
 */
export function resizeCrop(
	box: CropBox,
	handle: CropHandle,
	dx: number,
	dy: number,
	imageWidth: number,
	imageHeight: number,
	aspect: number | null
): CropBox {
	const west = handle === 'nw' || handle === 'sw';
	const north = handle === 'nw' || handle === 'ne';
	// The fixed corner, and how far the box may grow from it before leaving the photo.
	const anchorX = west ? box.x + box.width : box.x;
	const anchorY = north ? box.y + box.height : box.y;
	const roomX = west ? anchorX : imageWidth - anchorX;
	const roomY = north ? anchorY : imageHeight - anchorY;
	let width = box.width + (west ? -dx : dx);
	let height = box.height + (north ? -dy : dy);
	const minW = Math.min(CROP_MIN_PX, roomX);
	const minH = Math.min(CROP_MIN_PX, roomY);
	if (aspect === null) {
		width = clamp(width, minW, roomX);
		height = clamp(height, minH, roomY);
	} else {
		// Follow whichever axis moved further, measured in width units.
		const byWidth = Math.abs(width - box.width) >= Math.abs(height - box.height) * aspect;
		width = byWidth ? width : height * aspect;
		const maxW = Math.min(roomX, roomY * aspect);
		const minLocked = Math.min(Math.max(minW, minH * aspect), maxW);
		width = clamp(width, minLocked, maxW);
		height = width / aspect;
	}
	return {
		x: west ? anchorX - width : anchorX,
		y: north ? anchorY - height : anchorY,
		width,
		height
	};
}

/**
 * Fits a box into the photo with a new aspect (SP7), keeping its centre and its width where the
 * photo allows: used when the seal's shape changes from oval to round or square.
 */
export function reshapeCrop(
	box: CropBox,
	aspect: number,
	imageWidth: number,
	imageHeight: number
): CropBox {
	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	const width = Math.max(
		Math.min(box.width, imageWidth, imageHeight * aspect),
		Math.min(CROP_MIN_PX, imageWidth, imageHeight * aspect)
	);
	const height = width / aspect;
	return moveCrop(
		{ x: cx - width / 2, y: cy - height / 2, width, height },
		0,
		0,
		imageWidth,
		imageHeight
	);
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(Math.max(value, min), max);
}
