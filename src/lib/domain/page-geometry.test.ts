import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	clampScale,
	fieldsForSigner,
	signingSteps,
	fitWidthScale,
	MAX_SCALE,
	pageCssSize,
	pagesToFree,
	pagesToRender,
	rectToCssBox
} from './page-geometry';
import type { Envelope, Field } from './envelope';
import { sampleEnvelope } from './fixtures';

const A4 = { width: 595.28, height: 841.89 };

describe('rectToCssBox', () => {
	it('flips y: a rect at the bottom of the page lands at the bottom of the box', () => {
		const box = rectToCssBox({ x: 72, y: 120, width: 180, height: 60 }, A4, 1);
		expect(box.left).toBe(72);
		expect(box.width).toBe(180);
		expect(box.height).toBe(60);
		expect(box.top).toBeCloseTo(841.89 - 180);
	});

	it('scales every coordinate', () => {
		const box = rectToCssBox(
			{ x: 10, y: 20, width: 30, height: 40 },
			{ width: 100, height: 200 },
			2
		);
		expect(box).toEqual({ left: 20, top: (200 - 60) * 2, width: 60, height: 80 });
	});

	it('keeps any rect inside the page inside the page box at any scale', () => {
		fc.assert(
			fc.property(
				fc.double({ min: 0, max: 1, noNaN: true }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				fc.double({ min: 0.25, max: 4, noNaN: true }),
				(fx, fy, fw, fh, scale) => {
					const x = fx * A4.width;
					const y = fy * A4.height;
					const rect = { x, y, width: fw * (A4.width - x), height: fh * (A4.height - y) };
					const box = rectToCssBox(rect, A4, scale);
					const page = pageCssSize(A4, scale);
					const eps = 1e-6;
					expect(box.left).toBeGreaterThanOrEqual(-eps);
					expect(box.top).toBeGreaterThanOrEqual(-eps);
					expect(box.left + box.width).toBeLessThanOrEqual(page.width + eps);
					expect(box.top + box.height).toBeLessThanOrEqual(page.height + eps);
				}
			)
		);
	});
});

describe('scales', () => {
	it('fits the widest page to the available width', () => {
		expect(fitWidthScale([A4, { width: 842, height: 595 }], 421)).toBeCloseTo(0.5);
	});
	it('is clamped', () => {
		expect(clampScale(100)).toBe(MAX_SCALE);
		expect(fitWidthScale([A4], 0)).toBeGreaterThan(0);
	});
});

describe('pagesToRender', () => {
	it('keeps the visible pages and one neighbour each side, within the document', () => {
		expect([...pagesToRender([1], 50)].sort((a, b) => a - b)).toEqual([1, 2]);
		expect([...pagesToRender([10, 11], 50)].sort((a, b) => a - b)).toEqual([9, 10, 11, 12]);
		expect([...pagesToRender([50], 50)].sort((a, b) => a - b)).toEqual([49, 50]);
		expect(pagesToRender([], 50).size).toBe(0);
	});
});

describe('pagesToFree', () => {
	it('keeps a drawn page that left the look-ahead but is still within the keep zone', () => {
		// Page 1 pushed just past the look-ahead (nothing to draw) but a screen away: kept.
		expect(pagesToFree([1, 2], new Set(), [1], 50)).toEqual([]);
		// Its neighbour too, as it would be drawn next to it.
		expect(pagesToFree([1, 2, 3], new Set(), [1], 50)).toEqual([3]);
	});

	it('frees the drawn pages far from the viewport, never the ones being drawn', () => {
		expect(pagesToFree([1, 2, 3, 10, 11], new Set([10, 11]), [10, 11], 50)).toEqual([1, 2, 3]);
		expect(pagesToFree([1, 2], new Set([1, 2]), [], 50)).toEqual([]);
		expect(pagesToFree([1, 2], new Set(), [], 50)).toEqual([1, 2]);
	});
});

describe('fieldsForSigner', () => {
	const field = (id: string, signerId: string, page: number, y: number, x = 0): Field => ({
		id,
		kind: 'signature',
		signerId,
		page,
		rect: { x, y, width: 10, height: 10 },
		required: true
	});
	const envelope = {
		fields: [
			field('c', 'me', 3, 100),
			field('a', 'me', 1, 100),
			field('other', 'them', 1, 500),
			field('b', 'me', 3, 700),
			field('d', 'me', 3, 100, 50),
			{ ...field('seam', 'me', 1, 0), kind: 'riding-seam' as const }
		]
	} as Envelope;

	it('puts side-by-side fields left to right even when the right one is taller', () => {
		const seal = {
			...field('seal', 'me', 3, 90, 340),
			rect: { x: 340, y: 90, width: 130, height: 130 }
		};
		const signature = {
			...field('sig', 'me', 3, 120, 72),
			rect: { x: 72, y: 120, width: 180, height: 60 }
		};
		const demo = { fields: [seal, signature] } as Envelope;
		expect(fieldsForSigner(demo, ['me']).map((f) => f.id)).toEqual(['sig', 'seal']);
	});

	it("walks only the signer's own fields, in reading order", () => {
		expect(fieldsForSigner(envelope, ['me']).map((f) => f.id)).toEqual(['a', 'b', 'c', 'd']);
		expect(fieldsForSigner(envelope, []).map((f) => f.id)).toEqual([]);
	});
});

describe('signingSteps', () => {
	it('counts a riding-seam field as a step, after the on-page fields in reading order', () => {
		const envelope = sampleEnvelope();
		const alice = signingSteps(envelope, ['alice']);
		const onPages = fieldsForSigner(envelope, ['alice']);
		expect(alice.map((f) => f.kind)).toContain('riding-seam');
		expect(alice).toHaveLength(envelope.fields.filter((f) => f.signerId === 'alice').length);
		expect(alice.slice(0, onPages.length)).toEqual(onPages);
		expect(alice.at(-1)!.id).toBe('f-seam-a');
		expect(signingSteps(envelope, ['bob']).map((f) => f.kind)).not.toContain('riding-seam');
	});
});
