import { describe, expect, it } from 'vitest';
import {
	CROP_MIN_PX,
	defaultCrop,
	moveCrop,
	reshapeCrop,
	resizeCrop,
	type CropBox
} from './crop-box';

const W = 1000;
const H = 600;

function inside(box: CropBox) {
	expect(box.x).toBeGreaterThanOrEqual(0);
	expect(box.y).toBeGreaterThanOrEqual(0);
	expect(box.x + box.width).toBeLessThanOrEqual(W + 1e-9);
	expect(box.y + box.height).toBeLessThanOrEqual(H + 1e-9);
}

describe('the crop box', () => {
	it('SP7: starts centred at 80 % of what the aspect allows', () => {
		expect(defaultCrop(W, H, 1)).toEqual({ x: 260, y: 60, width: 480, height: 480 });
		const free = defaultCrop(W, H, null);
		expect(free).toEqual({ x: 100, y: 60, width: 800, height: 480 });
		// A photo smaller than the minimum box is taken whole.
		expect(defaultCrop(10, 8, 1)).toMatchObject({ width: 10, height: 8 });
	});

	it('SP7: moving stops at the photo edges', () => {
		const box = defaultCrop(W, H, 1);
		expect(moveCrop(box, 30, -10, W, H)).toMatchObject({ x: 290, y: 50 });
		expect(moveCrop(box, -5000, 5000, W, H)).toMatchObject({ x: 0, y: 120 });
		inside(moveCrop(box, 5000, -5000, W, H));
	});

	it('SP7: a corner drag keeps the opposite corner, the photo bounds and the minimum size', () => {
		const box = { x: 100, y: 100, width: 200, height: 200 };
		expect(resizeCrop(box, 'se', 50, 20, W, H, null)).toEqual({
			x: 100,
			y: 100,
			width: 250,
			height: 220
		});
		const nw = resizeCrop(box, 'nw', 40, 40, W, H, null);
		expect(nw.x + nw.width).toBe(300);
		expect(nw.y + nw.height).toBe(300);
		const grown = resizeCrop(box, 'nw', -5000, -5000, W, H, null);
		expect(grown).toEqual({ x: 0, y: 0, width: 300, height: 300 });
		const shrunk = resizeCrop(box, 'ne', -5000, 5000, W, H, null);
		expect(shrunk.width).toBe(CROP_MIN_PX);
		expect(shrunk.height).toBe(CROP_MIN_PX);
		expect(shrunk.x).toBe(100);
		expect(shrunk.y + shrunk.height).toBe(300);
	});

	it('SP7: with a locked aspect the larger movement decides and the proportions hold', () => {
		const box = { x: 100, y: 100, width: 200, height: 200 };
		const wide = resizeCrop(box, 'se', 80, 10, W, H, 1);
		expect(wide).toEqual({ x: 100, y: 100, width: 280, height: 280 });
		const tall = resizeCrop(box, 'sw', 0, 60, W, H, 1);
		expect(tall).toEqual({ x: 40, y: 100, width: 260, height: 260 });
		// Growing down-right is limited by the photo's bottom edge (600 − 100 = 500).
		const big = resizeCrop(box, 'se', 5000, 5000, W, H, 1);
		expect(big).toEqual({ x: 100, y: 100, width: 500, height: 500 });
		inside(big);
		const oval = resizeCrop(box, 'se', -5000, 0, W, H, 1.5);
		expect(oval.width / oval.height).toBeCloseTo(1.5, 9);
		expect(oval.height).toBeGreaterThanOrEqual(CROP_MIN_PX);
	});

	it('SP7: reshaping keeps the centre and fits the photo', () => {
		const box = { x: 100, y: 50, width: 800, height: 500 };
		const square = reshapeCrop(box, 1, W, H);
		expect(square.width).toBe(square.height);
		expect(square.width).toBe(600);
		expect(square.x + square.width / 2).toBe(500);
		inside(square);
	});
});
