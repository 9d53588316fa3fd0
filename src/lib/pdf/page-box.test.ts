import { describe, expect, it } from 'vitest';
import {
	applyMatrix,
	displayToUser,
	displayedSize,
	normaliseRotation,
	visibleBox,
	type PageBox
} from './page-box';

describe('page as displayed (PG1)', () => {
	it('PG1: reads /Rotate as viewers do', () => {
		expect([0, 90, 180, 270, 360, -90, 450, -270].map(normaliseRotation)).toEqual([
			0, 90, 180, 270, 0, 270, 90, 90
		]);
		expect([45, 1.5, undefined, '90', null, NaN].map(normaliseRotation)).toEqual([
			0, 0, 0, 0, 0, 0
		]);
	});

	it('PG1: the visible box is the CropBox clipped to the MediaBox, else the MediaBox', () => {
		const media = { x: 0, y: 0, width: 600, height: 800 };
		expect(visibleBox(media, undefined)).toEqual(media);
		expect(visibleBox(media, { x: 10, y: 20, width: 100, height: 100 })).toEqual({
			x: 10,
			y: 20,
			width: 100,
			height: 100
		});
		expect(visibleBox(media, { x: -10, y: 700, width: 100, height: 200 })).toEqual({
			x: 0,
			y: 700,
			width: 90,
			height: 100
		});
		// No overlap: the MediaBox, as pdf.js does.
		expect(visibleBox(media, { x: 900, y: 900, width: 10, height: 10 })).toEqual(media);
	});

	it('PG1: the displayed upper-left corner maps to the user-space corner the turn brings there', () => {
		const visible = { x: 100, y: 50, width: 600, height: 400 };
		// Where the displayed page's upper-left and lower-right corners are in user space.
		const expected: Record<number, [number, number][]> = {
			0: [
				[100, 450],
				[700, 50]
			],
			90: [
				[100, 50],
				[700, 450]
			],
			180: [
				[700, 50],
				[100, 450]
			],
			270: [
				[700, 450],
				[100, 50]
			]
		};
		for (const rotate of [0, 90, 180, 270] as const) {
			const box: PageBox = { visible, rotate };
			const { width, height } = displayedSize(box);
			expect([width, height]).toEqual(rotate % 180 ? [400, 600] : [600, 400]);
			const m = displayToUser(box);
			const upperLeft = applyMatrix(m, 0, height);
			const lowerRight = applyMatrix(m, width, 0);
			expect([
				[upperLeft.x, upperLeft.y],
				[lowerRight.x, lowerRight.y]
			]).toEqual(expected[rotate]);
		}
	});
});
