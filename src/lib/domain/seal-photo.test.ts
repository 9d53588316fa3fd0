import { describe, expect, it } from 'vitest';
import {
	edgeWidth,
	extractRedInk,
	inkCoverage,
	isRedInk,
	MAX_EDGE_WIDTH_PX,
	MIN_INK_COVERAGE,
	photoSealWarnings,
	printDpi,
	printPixels,
	redness,
	RED_INK_THRESHOLD,
	validatePhotoSeal
} from './seal-photo';

/** RGBA pixels from [r, g, b, a] tuples. */
function pixels(...list: [number, number, number, number][]): Uint8ClampedArray {
	return new Uint8ClampedArray(list.flat());
}

const PAPER: [number, number, number, number] = [245, 240, 230, 255];
const SHADOW: [number, number, number, number] = [120, 118, 115, 255];
const BLACK_PRINT: [number, number, number, number] = [20, 20, 25, 255];
const STAMP_INK: [number, number, number, number] = [200, 30, 40, 255];
const FADED_INK: [number, number, number, number] = [220, 140, 140, 255];

describe('red-ink classification', () => {
	it('SP1: paper, shadows and black print are not ink; stamp ink and faded ink are', () => {
		for (const p of [PAPER, SHADOW, BLACK_PRINT])
			expect(isRedInk(...p, RED_INK_THRESHOLD)).toBe(false);
		expect(isRedInk(...STAMP_INK, RED_INK_THRESHOLD)).toBe(true);
		expect(isRedInk(...FADED_INK, RED_INK_THRESHOLD)).toBe(true);
		expect(redness(...(SHADOW.slice(0, 3) as [number, number, number]))).toBe(2);
	});

	it('SP1: a higher threshold drops faded ink but keeps strong ink; transparent pixels never count', () => {
		expect(isRedInk(...FADED_INK, 100)).toBe(false);
		expect(isRedInk(...STAMP_INK, 100)).toBe(true);
		expect(isRedInk(200, 30, 40, 0, 10)).toBe(false);
	});
});

describe('extraction to a transparent image', () => {
	it('SP2: ink becomes the ink colour with opacity by redness; everything else is fully transparent', () => {
		const input = pixels(PAPER, STAMP_INK, BLACK_PRINT, FADED_INK);
		const copy = input.slice();
		const out = extractRedInk(input, RED_INK_THRESHOLD);
		expect(input).toEqual(copy);
		expect(Array.from(out.slice(0, 4))).toEqual([0, 0, 0, 0]);
		expect(Array.from(out.slice(4, 8))).toEqual([0xd4, 0x00, 0x0f, 255]);
		expect(Array.from(out.slice(8, 12))).toEqual([0, 0, 0, 0]);
		// Faded ink (redness 80 at threshold 60) is kept but lighter than full ink.
		expect(out[15]).toBe(Math.round((255 * 80) / 120));
	});

	it('SP3: coverage is the share of ink pixels, for the too-small warning', () => {
		expect(inkCoverage(pixels(PAPER, STAMP_INK, PAPER, PAPER))).toBe(0.25);
		expect(inkCoverage(new Uint8ClampedArray(0))).toBe(0);
	});
});

/**
 * A w × w photo of a stamp: beige paper with grain (a fixed pseudo-random sequence), a red ring
 * of the given thickness and a one-pixel red stroke, box-blurred `blur` pixels each way.
 */
function stampPhoto(
	w: number,
	{ blur = 0, ring = 6, grain = 12 }: { blur?: number; ring?: number; grain?: number } = {}
) {
	let seed = 7;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
	// Ink intensity 0–1 per pixel, blurred before colouring, as a lens blurs the ink.
	let inkAt = new Float64Array(w * w);
	const c = w / 2;
	for (let y = 0; y < w; y++)
		for (let x = 0; x < w; x++) {
			const r = Math.hypot(x + 0.5 - c, y + 0.5 - c);
			if (
				(r <= w * 0.42 && r > w * 0.42 - ring) ||
				(x === Math.floor(c) && Math.abs(y - c) < w * 0.2)
			)
				inkAt[y * w + x] = 1;
		}
	for (let pass = 0; pass < 2 && blur > 0; pass++) {
		const out = new Float64Array(w * w);
		for (let y = 0; y < w; y++)
			for (let x = 0; x < w; x++) {
				let sum = 0;
				let n = 0;
				for (let k = -blur; k <= blur; k++) {
					const [xx, yy] = pass === 0 ? [x + k, y] : [x, y + k];
					if (xx < 0 || yy < 0 || xx >= w || yy >= w) continue;
					sum += inkAt[yy * w + xx]!;
					n++;
				}
				out[y * w + x] = sum / n;
			}
		inkAt = out;
	}
	const rgba = new Uint8ClampedArray(w * w * 4);
	for (let p = 0; p < w * w; p++) {
		const k = inkAt[p]!;
		const g = random() * grain;
		rgba[p * 4] = 240 * (1 - k) + 200 * k + g;
		rgba[p * 4 + 1] = 232 * (1 - k) + 25 * k + g;
		rgba[p * 4 + 2] = 215 * (1 - k) + 35 * k + g;
		rgba[p * 4 + 3] = 255;
	}
	return rgba;
}

describe('sharpness of the ink edges', () => {
	it('SP4: a sharp stamp measures about one pixel, whatever the paper grain and ring width', () => {
		for (const options of [{ grain: 0 }, { grain: 14 }, { ring: 2 }, { ring: 12 }]) {
			const width = edgeWidth(stampPhoto(120, options), 120, 120);
			expect(width).not.toBeNull();
			expect(width!).toBeGreaterThanOrEqual(0.9);
			expect(width!).toBeLessThan(1.5);
		}
	});

	it('SP4: blurring widens the edge, past the warning limit for a 3-pixel box blur', () => {
		const widths = [0, 1, 3, 5].map((blur) => edgeWidth(stampPhoto(120, { blur }), 120, 120)!);
		for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThan(widths[i - 1]!);
		expect(widths[1]!).toBeLessThanOrEqual(MAX_EDGE_WIDTH_PX);
		expect(widths[2]!).toBeGreaterThan(MAX_EDGE_WIDTH_PX);
	});

	it('SP4: no ink, only ink or transparent pixels give no measure', () => {
		const paper = new Uint8ClampedArray(16 * 4).fill(240);
		expect(edgeWidth(paper, 4, 4)).toBeNull();
		const ink = pixels(...Array.from({ length: 16 }, () => STAMP_INK));
		expect(edgeWidth(ink, 4, 4)).toBeNull();
		expect(edgeWidth(new Uint8ClampedArray(16 * 4), 4, 4)).toBeNull();
		expect(edgeWidth(new Uint8ClampedArray(0), 0, 0)).toBeNull();
	});

	it('SP4: a linear ramp of ink over n pixels measures about n', () => {
		// One row: paper, then redness rising in 6 equal steps, then ink.
		const row: [number, number, number, number][] = [];
		for (let x = 0; x < 10; x++) row.push([240, 240, 240, 255]);
		for (let s = 1; s <= 6; s++) row.push([240, 240 - s * 30, 240 - s * 30, 255]);
		for (let x = 0; x < 10; x++) row.push([240, 60, 60, 255]);
		const width = edgeWidth(pixels(...row), row.length, 1, RED_INK_THRESHOLD);
		expect(width!).toBeGreaterThan(4);
		expect(width!).toBeLessThan(8);
	});
});

describe('print-quality warnings', () => {
	it('SP5: print pixels and dpi follow the seal size in millimetres', () => {
		expect(printPixels(42)).toBe(496);
		expect(printDpi(496, 42)).toBeCloseTo(299.96, 2);
		expect(printDpi(100, 0)).toBe(0);
	});

	it('SP5: nothing to warn about for a sharp, inked crop at print resolution', () => {
		expect(
			photoSealWarnings({
				widthPx: 496,
				heightPx: 496,
				widthMm: 42,
				heightMm: 42,
				coverage: 0.12,
				edgeWidthPx: 1.2
			})
		).toEqual([]);
	});

	it('SP5: a small, blurred crop with little ink gets all three warnings in order', () => {
		expect(
			photoSealWarnings({
				widthPx: 300,
				heightPx: 300,
				widthMm: 42,
				heightMm: 42,
				coverage: MIN_INK_COVERAGE / 2,
				edgeWidthPx: MAX_EDGE_WIDTH_PX + 0.5
			})
		).toEqual(['low-resolution', 'blurred', 'little-ink']);
	});

	it('SP5: the shorter side in dpi decides, and an unmeasurable edge is not called blurred', () => {
		const input = { widthMm: 45, heightMm: 30, coverage: 0.1, edgeWidthPx: null };
		expect(photoSealWarnings({ ...input, widthPx: 800, heightPx: 300 })).toEqual([
			'low-resolution'
		]);
		expect(photoSealWarnings({ ...input, widthPx: 800, heightPx: 360 })).toEqual([]);
	});
});

describe('what a photo seal is stored with', () => {
	const ok = { shape: 'round', widthMm: 42, heightMm: 42, pixelWidth: 600, pixelHeight: 600 };

	it('SP6: a round seal with square pixels passes', () => {
		expect(validatePhotoSeal(ok)).toEqual([]);
		expect(
			validatePhotoSeal({ ...ok, shape: 'oval', widthMm: 45, heightMm: 30, pixelHeight: 400 })
		).toEqual([]);
	});

	it('SP6: shape, size, circle and proportion problems are each named, in field order', () => {
		expect(validatePhotoSeal({ ...ok, shape: 'star' })).toEqual([
			{ code: 'SHAPE_UNKNOWN', field: 'shape' }
		]);
		expect(validatePhotoSeal({ ...ok, widthMm: 5, heightMm: Number.NaN })).toEqual([
			{ code: 'SIZE_OUT_OF_RANGE', field: 'widthMm' },
			{ code: 'SIZE_OUT_OF_RANGE', field: 'heightMm' }
		]);
		expect(validatePhotoSeal({ ...ok, shape: 'square', heightMm: 40, pixelHeight: 571 })).toEqual([
			{ code: 'ROUND_NOT_CIRCLE', field: 'heightMm' }
		]);
		expect(validatePhotoSeal({ ...ok, pixelHeight: 500 })).toEqual([
			{ code: 'IMAGE_PROPORTION', field: 'image' }
		]);
		// Within 2 %: a pixel of rounding is not a distortion.
		expect(validatePhotoSeal({ ...ok, pixelHeight: 595 })).toEqual([]);
	});
});
