import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	applyTemplate,
	clampRect,
	copyToAllPages,
	insidePage,
	keepFieldsOnReplace,
	MIN_FIELD_PT,
	moveRect,
	placeRect,
	readinessProblems,
	resizeRect,
	signerColour,
	templateFromFields
} from './field-layout';
import type { Field, Signer } from './envelope';

const A4 = { width: 595.28, height: 841.89 };
const LANDSCAPE = { width: 792, height: 612 };
const SMALL = { width: 200, height: 100 };

const signers: Signer[] = [
	{ id: 'b', partyId: 'p2', name: 'B', order: 2 },
	{ id: 'a', partyId: 'p1', name: 'A', order: 1 }
];

function field(over: Partial<Field> = {}): Field {
	return {
		id: 'f1',
		kind: 'signature',
		signerId: 'a',
		page: 1,
		rect: { x: 100, y: 100, width: 160, height: 56 },
		required: true,
		...over
	};
}

describe('clampRect', () => {
	it('L1: moves a rect hanging over the top-right corner back inside, keeping its size', () => {
		const r = clampRect({ x: 500, y: 800, width: 160, height: 56 }, A4);
		expect(r).toEqual({ x: 435.28, y: 785.89, width: 160, height: 56 });
		expect(insidePage(r, A4)).toBe(true);
	});

	it('L1: grows a tiny rect to the minimum side and shrinks an oversized one to the page', () => {
		expect(clampRect({ x: 10, y: 10, width: 1, height: 2 }, A4)).toMatchObject({
			width: MIN_FIELD_PT,
			height: MIN_FIELD_PT
		});
		expect(clampRect({ x: -50, y: -50, width: 999, height: 999 }, SMALL)).toEqual({
			x: 0,
			y: 0,
			width: 200,
			height: 100
		});
	});

	it('L1: any rect, even NaN or infinite, comes out inside the page', () => {
		fc.assert(
			fc.property(
				fc.double(),
				fc.double(),
				fc.double(),
				fc.double(),
				fc.constantFrom(A4, LANDSCAPE, SMALL),
				(x, y, width, height, page) => {
					expect(insidePage(clampRect({ x, y, width, height }, page), page)).toBe(true);
				}
			)
		);
	});
});

describe('moveRect / resizeRect', () => {
	it('L2: ArrowDown moves down on screen, which is a lower PDF y', () => {
		const r = moveRect({ x: 100, y: 100, width: 50, height: 50 }, A4, 0, 10);
		expect(r).toEqual({ x: 100, y: 90, width: 50, height: 50 });
	});

	it('L2: moving stops at the page edge instead of leaving it', () => {
		expect(moveRect({ x: 2, y: 2, width: 50, height: 50 }, A4, -10, 10)).toMatchObject({
			x: 0,
			y: 0
		});
	});

	it('L2: resizing keeps the top-left corner and never goes below the minimum', () => {
		const r = resizeRect({ x: 100, y: 100, width: 50, height: 50 }, A4, 10, 20);
		expect(r).toEqual({ x: 100, y: 80, width: 60, height: 70 });
		expect(r.y + r.height).toBe(150);
		const tiny = resizeRect({ x: 100, y: 100, width: 50, height: 50 }, A4, -100, -100);
		expect(tiny).toEqual({ x: 100, y: 138, width: MIN_FIELD_PT, height: MIN_FIELD_PT });
	});
});

describe('placeRect', () => {
	it('L3: centres the default size on the point, clamped to the page', () => {
		expect(placeRect('signature', A4, { x: 300, y: 400 })).toEqual({
			x: 220,
			y: 372,
			width: 160,
			height: 56
		});
		expect(insidePage(placeRect('seal', A4, { x: 0, y: 0 }), A4)).toBe(true);
	});

	it('L3: a riding-seam field snaps to the nearer side edge', () => {
		expect(placeRect('riding-seam', A4, { x: 400, y: 400 }).x).toBeCloseTo(A4.width - 60);
		expect(placeRect('riding-seam', A4, { x: 100, y: 400 }).x).toBe(0);
	});
});

describe('copyToAllPages', () => {
	it('L4: one copy on every other page, clamped to each page size, with fresh ids', () => {
		const f = field({ page: 1, rect: { x: 500, y: 700, width: 80, height: 80 } });
		const copies = copyToAllPages(f, [A4, LANDSCAPE, A4], (p) => `copy-${p}`);
		expect(copies.map((c) => [c.id, c.page])).toEqual([
			['copy-2', 2],
			['copy-3', 3]
		]);
		expect(copies[0]!.rect).toEqual({ x: 500, y: 532, width: 80, height: 80 });
		expect(copies[1]!.rect).toEqual(f.rect);
		expect(copies.every((c) => c.signerId === 'a' && c.kind === 'signature')).toBe(true);
	});

	it('L4: a riding-seam field is not copied (it spans every page already)', () => {
		expect(copyToAllPages(field({ kind: 'riding-seam' }), [A4, A4], String)).toEqual([]);
	});
});

describe('templates', () => {
	it('L5: a template names signers by slot (order number, then list position)', () => {
		const t = templateFromFields(
			[field({ signerId: 'a' }), field({ id: 'f2', signerId: 'b' }), field({ signerId: 'x' })],
			signers
		);
		expect(t.map((f) => f.signerIndex)).toEqual([0, 1]);
	});

	it('L6: applying keeps fields whose page and signer slot exist, clamped, and counts the rest', () => {
		const template = templateFromFields(
			[
				field({ signerId: 'a', page: 1, rect: { x: 700, y: 100, width: 80, height: 40 } }),
				field({ signerId: 'b', page: 3 }),
				field({ signerId: 'b', page: 2, required: false })
			],
			signers
		);
		const other: Signer[] = [{ id: 'only', partyId: 'p', name: 'Only', order: 1 }];
		const { fields, skipped } = applyTemplate(template, other, [SMALL, A4], (i) => `t${i}`);
		expect(skipped).toBe(2);
		expect(fields).toEqual([
			{
				id: 't0',
				kind: 'signature',
				signerId: 'only',
				page: 1,
				rect: { x: 120, y: 60, width: 80, height: 40 },
				required: true
			}
		]);
	});
});

describe('keepFieldsOnReplace', () => {
	it('L7: fields on pages that still exist are kept (clamped); the others are named as dropped', () => {
		const fields = [
			field({ id: 'p1', page: 1, rect: { x: 500, y: 700, width: 80, height: 80 } }),
			field({ id: 'p3', page: 3 })
		];
		const result = keepFieldsOnReplace(fields, [LANDSCAPE, A4]);
		expect(result.dropped).toEqual(['p3']);
		expect(result.fields).toHaveLength(1);
		expect(insidePage(result.fields[0]!.rect, LANDSCAPE)).toBe(true);
	});

	it('L7: a riding-seam field is dropped when the new document has one page', () => {
		const result = keepFieldsOnReplace([field({ kind: 'riding-seam' })], [A4]);
		expect(result).toEqual({ fields: [], dropped: ['f1'] });
	});
});

describe('readinessProblems', () => {
	it('L8: ready when every signer has a required field inside an existing page', () => {
		expect(
			readinessProblems({
				pages: [A4, A4],
				signers,
				fields: [field({ signerId: 'a' }), field({ id: 'f2', signerId: 'b', page: 2 })]
			})
		).toEqual([]);
	});

	it('L8: names the signer without a required field and every bad field', () => {
		const problems = readinessProblems({
			pages: [A4],
			signers,
			fields: [
				field({ signerId: 'a' }),
				field({ id: 'opt', signerId: 'b', required: false }),
				field({ id: 'off', signerId: 'a', rect: { x: 590, y: 10, width: 50, height: 50 } }),
				field({ id: 'p9', signerId: 'a', page: 9 }),
				field({ id: 'who', signerId: 'nobody' }),
				field({ id: 'seam', signerId: 'a', kind: 'riding-seam' }),
				field({ id: 'opt', signerId: 'b' })
			]
		});
		expect(problems).toEqual([
			{ code: 'FIELD_OUTSIDE_PAGE', fieldId: 'off' },
			{ code: 'FIELD_PAGE_MISSING', fieldId: 'p9' },
			{ code: 'FIELD_SIGNER_UNKNOWN', fieldId: 'who' },
			{ code: 'RIDING_SEAM_ONE_PAGE', fieldId: 'seam' },
			{ code: 'DUPLICATE_FIELD_ID', fieldId: 'opt' }
		]);
		expect(readinessProblems({ pages: [A4], signers, fields: [field({ signerId: 'a' })] })).toEqual(
			[{ code: 'SIGNER_WITHOUT_FIELD', signerId: 'b' }]
		);
		expect(readinessProblems({ pages: [A4], signers: [], fields: [] })).toEqual([
			{ code: 'NO_SIGNERS' }
		]);
	});
});

describe('signerColour', () => {
	it('gives neighbouring signers different colours and wraps', () => {
		expect(signerColour(0)).not.toBe(signerColour(1));
		expect(signerColour(8)).toBe(signerColour(0));
	});
});
