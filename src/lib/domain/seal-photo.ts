/**
 * The pixel rule of a seal made from a photo (方式二): which pixels are red ink, and how they
 * become a transparent seal image. Pure and per pixel, so the browser can re-run it live as the
 * threshold slider moves and a test can prove it on plain arrays.
 */

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
