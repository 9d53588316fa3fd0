import { describe, expect, it } from 'vitest';
import { extractRedInk, inkCoverage, isRedInk, redness, RED_INK_THRESHOLD } from './seal-photo';

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
