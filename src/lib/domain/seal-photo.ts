/**
 * The pixel rule of a seal made from a photo (方式二): which pixels are red ink, and how they
 * become a transparent seal image. Pure and per pixel, so the browser can re-run it live as the
 * threshold slider moves and a test can prove it on plain arrays.
 */
import { SEAL_SHAPES, SEAL_SIZE_MAX_MM, SEAL_SIZE_MIN_MM } from './seal-svg';

/** Default redness threshold: paper shadows and skin tones stay out, faded stamp ink stays in. */
export const RED_INK_THRESHOLD = 60;

/**
 * How red a pixel is (SP1): red minus the larger of green and blue, 0–255. Why this and not hue:
 * it is 0 for white paper, grey shadows and black print alike, whatever the lighting's brightness.
 */
export function redness(r: number, g: number, b: number): number {
	return Math.max(0, r - Math.max(g, b));
}

/**
 * Whether a pixel is red ink at the threshold (SP1): its redness reaches the threshold and it is
 * not transparent already.
 */
export function isRedInk(r: number, g: number, b: number, a: number, threshold: number): boolean {
	return a > 0 && redness(r, g, b) >= threshold;
}

/**
 * Turns RGBA pixels into a transparent seal image (SP2): every red-ink pixel becomes the given
 * ink colour with an opacity that rises with its redness (full at twice the threshold, so edges
 * stay smooth), every other pixel becomes fully transparent. Returns a new array; the input is
 * left as it was so the slider can try another threshold on the same photo.
 */
export function extractRedInk(
	rgba: Uint8ClampedArray,
	threshold: number = RED_INK_THRESHOLD,
	ink: { r: number; g: number; b: number } = { r: 0xd4, g: 0x00, b: 0x0f }
): Uint8ClampedArray {
	const out = new Uint8ClampedArray(rgba.length);
	const t = Math.max(1, threshold);
	for (let i = 0; i + 3 < rgba.length; i += 4) {
		const [r, g, b, a] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!, rgba[i + 3]!];
		if (!isRedInk(r, g, b, a, t)) continue;
		const strength = Math.min(1, redness(r, g, b) / (2 * t));
		out[i] = ink.r;
		out[i + 1] = ink.g;
		out[i + 2] = ink.b;
		out[i + 3] = Math.round(255 * strength * (a / 255));
	}
	return out;
}

/** Share of pixels that are red ink (SP3); the page warns when it is too small to be a seal. */
export function inkCoverage(
	rgba: Uint8ClampedArray,
	threshold: number = RED_INK_THRESHOLD
): number {
	const pixels = Math.floor(rgba.length / 4);
	if (pixels === 0) return 0;
	let ink = 0;
	for (let i = 0; i + 3 < rgba.length; i += 4)
		if (isRedInk(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!, rgba[i + 3]!, threshold)) ink++;
	return ink / pixels;
}

/*
 * Print quality of a photo seal (SP4–SP6). The page warns, it does not refuse: a blurred scan
 * may be the only copy of an old seal, but the admin should know before signers stamp with it.
 */

/** The resolution generated seals are rasterised at; a photo seal below it prints softer (SP5). */
export const MIN_PRINT_DPI = 300;

/** Below this share of ink pixels the crop holds little or no seal (SP3, SP5). */
export const MIN_INK_COVERAGE = 0.02;

/**
 * Widest mean ink edge, in pixels at no more than print resolution, that still prints crisp
 * (SP4, SP5): a sharp edge measures 1, a Gaussian blur of σ = 1 px about 2.6, σ = 2 px about 5.
 */
export const MAX_EDGE_WIDTH_PX = 3;

/** Millimetres per inch, for converting seal sizes to print pixels. */
const MM_PER_INCH = 25.4;

/** Pixels per inch an image of `pixels` has when printed `mm` wide (SP5). */
export function printDpi(pixels: number, mm: number): number {
	return mm > 0 ? pixels / (mm / MM_PER_INCH) : 0;
}

/** Pixels `mm` needs at `dpi` (300 by default): the size a photo seal is analysed at (SP4). */
export function printPixels(mm: number, dpi: number = MIN_PRINT_DPI): number {
	return Math.max(1, Math.round((mm / MM_PER_INCH) * dpi));
}

/**
 * Mean width of the ink's edges in pixels (SP4): the ink contrast (mean redness of ink pixels
 * minus that of the other pixels) divided by the mean redness jump across every pair of
 * horizontally or vertically adjacent pixels of which one is ink and the other is not. A sharp
 * edge jumps the whole contrast in one pixel (width 1); a blurred one rises over several. Why
 * this and not the variance of a Laplacian: it is measured only where ink meets paper, so paper
 * grain, shadows and how much ink there is do not move it, and a one-pixel stroke still counts.
 * Null when there is no edge to measure (no ink, only ink, or no contrast). Measure at no more
 * than print resolution: a sharper photo is downscaled first, which is how it will print.
 */
export function edgeWidth(
	rgba: Uint8ClampedArray,
	width: number,
	height: number,
	threshold: number = RED_INK_THRESHOLD
): number | null {
	const pixels = Math.min(width * height, Math.floor(rgba.length / 4));
	if (pixels <= 0 || width <= 0) return null;
	const t = Math.max(1, threshold);
	const red = new Uint8Array(pixels);
	const ink = new Uint8Array(pixels);
	let inkSum = 0;
	let inkCount = 0;
	let paperSum = 0;
	for (let p = 0; p < pixels; p++) {
		const i = p * 4;
		const a = rgba[i + 3]!;
		const r = a > 0 ? redness(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!) : 0;
		red[p] = r;
		if (a > 0 && r >= t) {
			ink[p] = 1;
			inkSum += r;
			inkCount++;
		} else paperSum += r;
	}
	const paperCount = pixels - inkCount;
	if (inkCount === 0 || paperCount === 0) return null;
	const contrast = inkSum / inkCount - paperSum / paperCount;
	if (contrast <= 0) return null;
	let jumps = 0;
	let pairs = 0;
	const rows = Math.floor(pixels / width);
	for (let y = 0; y < rows; y++) {
		for (let x = 0; x < width; x++) {
			const p = y * width + x;
			if (x + 1 < width && ink[p] !== ink[p + 1]) {
				jumps += Math.abs(red[p]! - red[p + 1]!);
				pairs++;
			}
			if (y + 1 < rows && ink[p] !== ink[p + width]) {
				jumps += Math.abs(red[p]! - red[p + width]!);
				pairs++;
			}
		}
	}
	if (pairs === 0 || jumps === 0) return null;
	return contrast / (jumps / pairs);
}

/** What the photo page warns about (SP5); none of them stops the admin from saving. */
export type PhotoSealWarning = 'low-resolution' | 'blurred' | 'little-ink';

/**
 * The warnings for a cropped photo seal (SP5): `low-resolution` when the crop, printed at the
 * seal's size, has fewer than MIN_PRINT_DPI pixels per inch on either side (rounded to whole
 * dpi); `blurred` when the SP4 edge width exceeds MAX_EDGE_WIDTH_PX; `little-ink` when the SP3
 * coverage is below MIN_INK_COVERAGE. In that order.
 */
export function photoSealWarnings(input: {
	widthPx: number;
	heightPx: number;
	widthMm: number;
	heightMm: number;
	coverage: number;
	edgeWidthPx: number | null;
}): PhotoSealWarning[] {
	const warnings: PhotoSealWarning[] = [];
	const dpi = Math.min(
		printDpi(input.widthPx, input.widthMm),
		printDpi(input.heightPx, input.heightMm)
	);
	if (Math.round(dpi) < MIN_PRINT_DPI) warnings.push('low-resolution');
	if (input.edgeWidthPx !== null && input.edgeWidthPx > MAX_EDGE_WIDTH_PX) warnings.push('blurred');
	if (input.coverage < MIN_INK_COVERAGE) warnings.push('little-ink');
	return warnings;
}

/** Smallest and largest side of a stored photo seal image, in pixels (SP6). */
export const PHOTO_SEAL_MIN_PX = 32;
export const PHOTO_SEAL_MAX_PX = 4096;

/**
 * Longest side the browser makes a photo seal with: 2048 px is over 1200 dpi for a 42 mm seal,
 * far past what a printer shows, and keeps the PNG small on a field connection.
 */
export const PHOTO_SEAL_OUTPUT_MAX_PX = 2048;

/** Largest stored photo seal PNG, in bytes (SP6). */
export const PHOTO_SEAL_MAX_BYTES = 5 * 1024 * 1024;

/** Largest photo the admin may choose, in bytes (SPEC SP: JPG/PNG ≤ 5 MB). */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

/** Why a photo seal's size cannot be stored; field `image` is the PNG's own proportions. */
export interface PhotoSealProblem {
	code: 'SHAPE_UNKNOWN' | 'SIZE_OUT_OF_RANGE' | 'ROUND_NOT_CIRCLE' | 'IMAGE_PROPORTION';
	field: 'shape' | 'widthMm' | 'heightMm' | 'image';
}

/** How far the image's proportions may stray from the seal's before it would print distorted. */
const PROPORTION_TOLERANCE = 0.02;

/**
 * Checks what a photo seal is stored with (SP6), every problem in field order: `SHAPE_UNKNOWN`
 * (not round/oval/square); `SIZE_OUT_OF_RANGE` (a side not finite or outside 10–80 mm, as S3);
 * `ROUND_NOT_CIRCLE` on heightMm (a round or square seal whose sides differ); `IMAGE_PROPORTION`
 * (width ÷ height of the pixels differs from that of the millimetres by more than 2 %, so the
 * stamp would print stretched).
 */
export function validatePhotoSeal(input: {
	shape: string;
	widthMm: number;
	heightMm: number;
	pixelWidth: number;
	pixelHeight: number;
}): PhotoSealProblem[] {
	const problems: PhotoSealProblem[] = [];
	if (!(SEAL_SHAPES as readonly string[]).includes(input.shape))
		problems.push({ code: 'SHAPE_UNKNOWN', field: 'shape' });
	const inRange = (mm: number) =>
		Number.isFinite(mm) && mm >= SEAL_SIZE_MIN_MM && mm <= SEAL_SIZE_MAX_MM;
	const widthOk = inRange(input.widthMm);
	const heightOk = inRange(input.heightMm);
	if (!widthOk) problems.push({ code: 'SIZE_OUT_OF_RANGE', field: 'widthMm' });
	if (!heightOk) problems.push({ code: 'SIZE_OUT_OF_RANGE', field: 'heightMm' });
	if (
		(input.shape === 'round' || input.shape === 'square') &&
		widthOk &&
		heightOk &&
		input.widthMm !== input.heightMm
	)
		problems.push({ code: 'ROUND_NOT_CIRCLE', field: 'heightMm' });
	if (widthOk && heightOk && input.pixelWidth > 0 && input.pixelHeight > 0) {
		const want = input.widthMm / input.heightMm;
		const have = input.pixelWidth / input.pixelHeight;
		if (Math.abs(have - want) / want > PROPORTION_TOLERANCE)
			problems.push({ code: 'IMAGE_PROPORTION', field: 'image' });
	}
	return problems;
}
