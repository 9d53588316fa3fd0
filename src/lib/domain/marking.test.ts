import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	chineseDateText,
	clampSealCentre,
	clampSeamPosition,
	formatPageList,
	inkBounds,
	inSeamDropZone,
	SEAM_DROP_ZONE_PT,
	seamFromDrop,
	isFieldFilled,
	localDateText,
	missingRequired,
	nudgeSeal,
	parsePageList,
	sealFitsField,
	seamForField,
	seamPositionRange,
	seamSlices,
	SEAL_STEP_PT,
	signatureExportScale,
	signerToMark,
	sizeInPoints,
	validDateText
} from './marking';
import { composeManifest, emptyDraft, type Draft } from './draft';
import { mmToPt, type Envelope, type Field } from './envelope';
import {
	sampleEnvelope,
	sampleManifest,
	SEAL_IMAGE,
	SIGNATURE_IMAGE,
	sampleSeals,
	SAMPLE_TICKET_ISSUED_AT
} from './fixtures';
import { validateManifest, type ValidationContext } from './rules';

const A4 = { width: 595.28, height: 841.89 };
const SEAL = { width: 42, height: 42 };

function field(id: string): Field {
	return sampleEnvelope().fields.find((f) => f.id === id)!;
}

/** What the server knows when it checks alice's manifest: her images and her authorised seal. */
function aliceContext(): ValidationContext {
	return {
		accepted: [],
		images: new Set([SIGNATURE_IMAGE, SEAL_IMAGE]),
		authorisedSeals: new Set(['seal-contract']),
		seals: sampleSeals(),
		ticketIssuedAt: SAMPLE_TICKET_ISSUED_AT
	};
}

/** Alice's signed manifest of `draft`, composed as her device composes it. */
function aliceManifest(envelope: Envelope, draft: Draft) {
	return composeManifest({
		envelope,
		signerId: 'alice',
		credentialId: 'c',
		ticket: { id: 't', nonce: 'bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U' },
		deviceTime: '2026-11-30T08:00:00.000Z',
		decision: { kind: 'signed' },
		draft
	});
}

describe('date text', () => {
	it('K1: the calendar day in Chinese form, without leading zeros', () => {
		expect(chineseDateText(2026, 11, 30)).toBe('2026年11月30日');
		expect(chineseDateText(2027, 1, 5)).toBe('2027年1月5日');
	});

	it("K1: the device's local day is used, not the UTC day", () => {
		// 23:30 local on 31 Dec is still 31 Dec on the signer's calendar, whatever UTC says.
		expect(localDateText(new Date(2026, 11, 31, 23, 30))).toBe('2026年12月31日');
		expect(localDateText(new Date(2027, 0, 1, 0, 5))).toBe('2027年1月1日');
	});

	it('R18: typed date text must be 1–40 characters after trimming', () => {
		expect(validDateText('  ')).toBe(false);
		expect(validDateText('2026年11月30日')).toBe(true);
		expect(validDateText('日'.repeat(40))).toBe(true);
		expect(validDateText('日'.repeat(41))).toBe(false);
	});
});

describe('signerToMark', () => {
	const env = sampleEnvelope();

	it('K2: the first of my signers whose turn it is and who has not decided', () => {
		expect(signerToMark(env, [], ['bob', 'alice'])).toBe('alice');
		expect(signerToMark(env, [sampleManifest()], ['alice', 'bob'])).toBe('bob');
	});

	it('K2/R9: nobody when my only signer must wait for an earlier one', () => {
		expect(signerToMark(env, [], ['bob'])).toBeNull();
		expect(signerToMark(env, [sampleManifest()], ['alice'])).toBeNull();
	});
});

describe('fields done and required fields', () => {
	const env = sampleEnvelope();

	function fullDraft(): Draft {
		const draft = emptyDraft();
		draft.fills['f-sig-a'] = { kind: 'signature', image: SIGNATURE_IMAGE };
		draft.fills['f-seal-a'] = {
			kind: 'seal',
			sealId: 'seal-contract',
			image: SEAL_IMAGE,
			sizeMm: SEAL
		};
		return draft;
	}

	it('K3/C2: a riding-seam field is done through a seam naming it; a fill of the wrong kind is not', () => {
		const draft = emptyDraft();
		expect(isFieldFilled(field('f-seam-a'), draft)).toBe(false);
		draft.ridingSeams.push(
			seamForField(field('f-seam-a'), env.pages, { sealId: 's', image: SEAL_IMAGE, sizeMm: SEAL })
		);
		expect(isFieldFilled(field('f-seam-a'), draft)).toBe(true);
		draft.fills['f-sig-a'] = { kind: 'date', text: '2026年1月1日' };
		expect(isFieldFilled(field('f-sig-a'), draft)).toBe(false);
		draft.fills['f-date-a'] = { kind: 'date', text: '   ' };
		expect(isFieldFilled(field('f-date-a'), draft)).toBe(false);
	});

	it('K4/R11: missingRequired lists exactly the fields validateManifest reports as FIELD_MISSING', () => {
		const ctx = aliceContext();
		const drafts: Draft[] = [emptyDraft(), fullDraft()];
		const half = fullDraft();
		delete half.fills['f-seal-a'];
		drafts.push(half);
		for (const draft of drafts) {
			const manifest = aliceManifest(env, draft);
			const reported = validateManifest(env, manifest, ctx)
				.filter((p) => p.code === 'FIELD_MISSING')
				.map((p) => p.path.replace('fields.', ''));
			expect(missingRequired(env, [], 'alice', draft).map((f) => f.id)).toEqual(reported);
		}
		expect(missingRequired(env, [], 'alice', fullDraft())).toEqual([]);
		expect(missingRequired(env, [], 'alice', emptyDraft()).map((f) => f.id)).toEqual([
			'f-sig-a',
			'f-seal-a'
		]);
	});
});

describe('free seals', () => {
	it('R14/K5: a clamped seal lies wholly inside the page, wherever it was dragged', () => {
		fc.assert(
			fc.property(
				fc.double({ min: -2000, max: 2000, noNaN: true }),
				fc.double({ min: -2000, max: 2000, noNaN: true }),
				fc.integer({ min: 5, max: 100 }),
				fc.integer({ min: 5, max: 100 }),
				(x, y, w, h) => {
					const c = clampSealCentre({ x, y }, { width: w, height: h }, A4);
					const s = sizeInPoints({ width: w, height: h });
					expect(c.x - s.width / 2).toBeGreaterThanOrEqual(-1e-9);
					expect(c.y - s.height / 2).toBeGreaterThanOrEqual(-1e-9);
					expect(c.x + s.width / 2).toBeLessThanOrEqual(A4.width + 1e-9);
					expect(c.y + s.height / 2).toBeLessThanOrEqual(A4.height + 1e-9);
				}
			)
		);
	});

	it('R14/K5: a seal already inside does not move', () => {
		expect(clampSealCentre({ x: 300, y: 400 }, SEAL, A4)).toEqual({ x: 300, y: 400 });
	});

	it('R14/K5: a seal pushed past the top-right corner stops flush with it', () => {
		const half = mmToPt(21);
		const c = clampSealCentre({ x: 9999, y: 9999 }, SEAL, A4);
		expect(c.x).toBeCloseTo(A4.width - half, 9);
		expect(c.y).toBeCloseTo(A4.height - half, 9);
	});

	it('K6: keys move in screen directions (down lowers PDF y) and stay clamped', () => {
		const seal = {
			sealId: 's',
			image: SEAL_IMAGE,
			page: 1,
			centre: { x: 300, y: 400 },
			sizeMm: SEAL
		};
		expect(nudgeSeal(seal, SEAL_STEP_PT, 0, A4).centre).toEqual({ x: 300 + SEAL_STEP_PT, y: 400 });
		expect(nudgeSeal(seal, 0, SEAL_STEP_PT, A4).centre).toEqual({ x: 300, y: 400 - SEAL_STEP_PT });
		expect(nudgeSeal(seal, -1000, 0, A4).centre.x).toBeCloseTo(mmToPt(21), 9);
	});

	it('R14: sealFitsField answers like validateManifest for a seal centred on its field', () => {
		const f = field('f-seal-a');
		expect(sealFitsField(f, SEAL, A4)).toBe(true);
		const corner = { ...f, rect: { x: 0, y: 0, width: 20, height: 20 } };
		expect(sealFitsField(corner, SEAL, A4)).toBe(false);
	});
});

describe('riding seams', () => {
	it('P3/K8: over n pages each page shows w/n; right edge: page k shows the k-th slice from the left', () => {
		const slices = seamSlices({ pages: 'all', edge: 'right', position: 0.5, sizeMm: SEAL }, [
			A4,
			A4,
			A4
		]);
		const w = mmToPt(42);
		expect(slices.map((s) => s.page)).toEqual([1, 2, 3]);
		expect(slices.map((s) => s.sliceFromLeft)).toEqual([0, 1, 2]);
		for (const s of slices) {
			expect(s.clip.width).toBeCloseTo(w / 3, 9);
			// Flush with the right edge of the page.
			expect(s.clip.x + s.clip.width).toBeCloseTo(A4.width, 9);
			// The clip cuts the slice it claims out of the image.
			expect((s.clip.x - s.image.x) / s.clip.width).toBeCloseTo(s.sliceFromLeft, 9);
			expect(s.clip.y + s.clip.height / 2).toBeCloseTo(A4.height / 2, 9);
		}
	});

	it('P3/K8: left edge: page k shows the k-th slice from the right, flush with x = 0', () => {
		const slices = seamSlices({ pages: [1, 3], edge: 'left', position: 0.3, sizeMm: SEAL }, [
			A4,
			A4,
			A4
		]);
		expect(slices.map((s) => [s.page, s.sliceFromLeft])).toEqual([
			[1, 1],
			[3, 0]
		]);
		for (const s of slices) {
			expect(s.clip.x).toBe(0);
			expect((s.clip.x - s.image.x) / s.clip.width).toBeCloseTo(s.sliceFromLeft, 9);
		}
	});

	it('P3/K8: the slices of all pages make up the whole seal, each once', () => {
		fc.assert(
			fc.property(fc.integer({ min: 2, max: 40 }), fc.boolean(), (n, right) => {
				const pages = Array.from({ length: n }, () => A4);
				const slices = seamSlices(
					{ pages: 'all', edge: right ? 'right' : 'left', position: 0.5, sizeMm: SEAL },
					pages
				);
				const from = slices.map((s) => s.sliceFromLeft).sort((a, b) => a - b);
				expect(from).toEqual(Array.from({ length: n }, (_, i) => i));
				const total = slices.reduce((sum, s) => sum + s.clip.width, 0);
				expect(total).toBeCloseTo(mmToPt(42), 6);
			})
		);
	});

	it('R15/K7: the position range keeps the whole seal height on every page', () => {
		const small = { width: 300, height: 300 };
		const range = seamPositionRange(SEAL, [A4, small])!;
		const h = mmToPt(42);
		expect(range.min).toBeCloseTo(h / 2 / 300, 9);
		expect(range.max).toBeCloseTo(1 - h / 2 / 300, 9);
		expect(clampSeamPosition(0, SEAL, [A4, small])).toBeCloseTo(range.min, 9);
		expect(clampSeamPosition(0.5, SEAL, [A4, small])).toBe(0.5);
		expect(seamPositionRange({ width: 42, height: 100 }, [{ width: 200, height: 200 }])).toBeNull();
	});

	it('K9/R15: page lists are ascending, in range and at least two pages', () => {
		expect(parsePageList('1-3, 5', 6)).toEqual([1, 2, 3, 5]);
		expect(parsePageList('5，1、3', 6)).toEqual([1, 3, 5]);
		expect(parsePageList('2', 6)).toBeNull();
		expect(parsePageList('2, 2', 6)).toBeNull();
		expect(parsePageList('0-2', 6)).toBeNull();
		expect(parsePageList('5-7', 6)).toBeNull();
		expect(parsePageList('3-1', 6)).toBeNull();
		expect(parsePageList('a', 6)).toBeNull();
		expect(formatPageList([1, 2, 3, 5])).toBe('1-3, 5');
		expect(parsePageList(formatPageList([2, 4, 5, 6]), 6)).toEqual([2, 4, 5, 6]);
	});

	it('K10/R15: a seam for a riding-seam field takes its edge and height, and validates', () => {
		const env = sampleEnvelope();
		const seam = seamForField(field('f-seam-a'), env.pages, {
			sealId: 'seal-contract',
			image: SEAL_IMAGE,
			sizeMm: SEAL
		});
		expect(seam.edge).toBe('right');
		expect(seam.position).toBeCloseTo((380 + 60) / A4.height, 9);
		const manifest = { ...sampleManifest(), ridingSeams: [seam] };
		const problems = validateManifest(env, manifest, aliceContext());
		expect(problems).toEqual([]);
	});
});

describe('drawn signature export', () => {
	const dots = (mm: number, dpi: number) => (mm / 25.4) * dpi;

	it('K11: small ink is scaled up to print at 300 dpi in a 60 × 20 mm field', () => {
		const k = signatureExportScale(300, 100);
		expect(Math.min((300 * k) / dots(60, 300), (100 * k) / dots(20, 300))).toBeCloseTo(1, 9);
	});

	it('K11: big ink is scaled down to at most 600 dpi there, never up', () => {
		const k = signatureExportScale(4000, 1000);
		expect(k).toBeLessThan(1);
		expect((4000 * k) / dots(60, 600)).toBeCloseTo(1, 9);
		expect(signatureExportScale(1000, 300)).toBe(1);
	});

	it('K12: ink bounds are the opaque pixels plus padding, kept inside the image', () => {
		const w = 10;
		const h = 6;
		const rgba = new Uint8ClampedArray(w * h * 4);
		const ink = (x: number, y: number) => (rgba[(y * w + x) * 4 + 3] = 255);
		expect(inkBounds(rgba, w, h)).toBeNull();
		ink(3, 2);
		ink(6, 4);
		expect(inkBounds(rgba, w, h)).toEqual({ x: 3, y: 2, width: 4, height: 3 });
		expect(inkBounds(rgba, w, h, 5)).toEqual({ x: 0, y: 0, width: 10, height: 6 });
	});
});

describe('riding seam by dragging (RD1, RD2)', () => {
	const pages = [A4, A4, A4];
	const seal = { sealId: 'seal-contract', image: SEAL_IMAGE, sizeMm: SEAL };

	it('the drop zone is the 15 mm band at the right edge, past the edge included', () => {
		expect(SEAM_DROP_ZONE_PT).toBeCloseTo(mmToPt(15));
		expect(inSeamDropZone(A4.width - SEAM_DROP_ZONE_PT - 0.01, A4, 3)).toBe(false);
		expect(inSeamDropZone(A4.width - SEAM_DROP_ZONE_PT, A4, 3)).toBe(true);
		expect(inSeamDropZone(A4.width + 40, A4, 3)).toBe(true);
		// Not the left edge, nor the middle.
		expect(inSeamDropZone(0, A4, 3)).toBe(false);
		expect(inSeamDropZone(A4.width / 2, A4, 3)).toBe(false);
	});

	it('has no drop zone on a one-page document (a seam needs two pages)', () => {
		expect(inSeamDropZone(A4.width, A4, 1)).toBe(false);
	});

	it('makes a right-edge seam over all pages at the drop height, which the server accepts', () => {
		const seam = seamFromDrop(seal, A4.height * 0.4, A4, pages, [field('f-seam-a')]);
		expect(seam).toEqual({
			...seal,
			pages: 'all',
			edge: 'right',
			position: 0.4,
			fieldId: 'f-seam-a'
		});
		// Its slices across the pages make the whole seal at the right edge (K8).
		const slices = seamSlices(seam, pages);
		expect(slices.map((s) => s.page)).toEqual([1, 2, 3]);
		expect(slices.every((s) => s.clip.x + s.clip.width === A4.width)).toBe(true);
		// The server's rules find nothing wrong with the seam (R5–R7, R13, R15).
		const env = sampleEnvelope();
		const manifest = aliceManifest(env, { ...emptyDraft(), ridingSeams: [seam] });
		const problems = validateManifest(env, manifest, aliceContext());
		expect(problems.filter((p) => p.path.startsWith('ridingSeams'))).toEqual([]);
	});

	it('clamps a drop near the top or bottom so the whole seal fits every page (K7)', () => {
		const range = seamPositionRange(SEAL, pages)!;
		expect(seamFromDrop(seal, A4.height - 1, A4, pages, []).position).toBe(range.max);
		expect(seamFromDrop(seal, 0, A4, pages, []).position).toBe(range.min);
	});

	it('is a free seam when the signer has no open riding-seam field', () => {
		expect(seamFromDrop(seal, 400, A4, pages, [])).not.toHaveProperty('fieldId');
		expect(seamFromDrop(seal, 400, A4, pages, [field('f-sig-a')])).not.toHaveProperty('fieldId');
	});
});
