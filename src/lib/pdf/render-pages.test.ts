import { beforeAll, describe, expect, it } from 'vitest';
import { mmToPt } from '$lib/domain/envelope';
import type { FreeSeal, Manifest } from '$lib/domain/manifest';
import { sampleManifest } from '$lib/domain/fixtures';
import { inspectPdf } from './inspect';
import { render } from './render';
import { discSealPng, sha256Hex, uprightSealPng } from '../../../tests/support/images';
import { brokenXref, pagesPdf, type RawPage } from '../../../tests/support/page-pdfs';
import { qpdfCheck } from '../../../tests/support/poppler';
import {
	blue,
	countPixels,
	ghostscriptPage,
	pdfjsPage,
	popplerPage,
	red,
	type Box
} from '../../../tests/support/renderers';

/*
 * Page coordinates are those of the page as displayed (PG1) and the marks survive any original
 * content (P10), judged by what outside renderers draw: pdftoppm with -cropbox rasterises the
 * displayed page, so a box in displayed coordinates is found in its raster directly.
 */

const DPI = 36;
const K = DPI / 72;
const SIZE_MM = 30;
const SIDE = mmToPt(SIZE_MM);
let upright: Uint8Array;
let disc: Uint8Array;
let assets: Map<string, Uint8Array>;

beforeAll(async () => {
	upright = await uprightSealPng();
	disc = await discSealPng();
	assets = new Map([
		[sha256Hex(upright), upright],
		[sha256Hex(disc), disc]
	]);
});

function seal(page: number, x: number, y: number, image = upright): FreeSeal {
	return {
		sealId: 'seal-contract',
		image: sha256Hex(image),
		page,
		centre: { x, y },
		sizeMm: { width: SIZE_MM, height: SIZE_MM }
	};
}

function manifest(seals: FreeSeal[], ridingSeams: Manifest['ridingSeams'] = []): Manifest {
	return sampleManifest({ fills: [], seals, ridingSeams });
}

/** The square a seal centred at (x, y) covers, and its upper and lower halves. */
function around(x: number, y: number) {
	const box: Box = { x: x - SIDE / 2, y: y - SIDE / 2, width: SIDE, height: SIDE };
	// A pixel's margin off each edge, so anti-aliased borders do not count either way.
	const m = 2 / K;
	const upper: Box = { x: box.x + m, y: y + m, width: SIDE - 2 * m, height: SIDE / 2 - 2 * m };
	const lower: Box = { ...upper, y: box.y + m };
	return { box, upper, lower, half: upper.width * upper.height * K * K };
}

/** A seal centred at (x, y) of the displayed page is there, upright, and alone on the page. */
function expectUprightAt(raster: ReturnType<typeof popplerPage>, x: number, y: number) {
	const { box, upper, lower, half } = around(x, y);
	expect(countPixels(raster, DPI, upper, red), 'red upper half').toBeGreaterThan(half * 0.95);
	expect(countPixels(raster, DPI, lower, blue), 'blue lower half').toBeGreaterThan(half * 0.95);
	expect(countPixels(raster, DPI, upper, blue), 'no blue above').toBe(0);
	expect(countPixels(raster, DPI, lower, red), 'no red below').toBe(0);
	const grown = { x: box.x - 2, y: box.y - 2, width: box.width + 4, height: box.height + 4 };
	expect(countPixels(raster, DPI, undefined, red), 'no red elsewhere').toBe(
		countPixels(raster, DPI, grown, red)
	);
}

async function renderChecked(pdf: Uint8Array, m: Manifest): Promise<Uint8Array> {
	const out = await render(pdf, [m], assets);
	const check = qpdfCheck(out);
	expect(check.status, check.output).toBe(0);
	return out;
}

/** Both of render()'s paths: the lazy reader, and pdf-lib's full parse of a damaged table. */
const paths = [
	['the lazy reader', (pdf: Uint8Array) => pdf],
	['the full parser', brokenXref]
] as const;

describe('pages as displayed (PG1)', () => {
	const turned: RawPage[] = [0, 90, 180, 270].map((rotate) => ({
		media: [0, 0, 600, 400],
		rotate,
		// A grey bar along the user-space bottom: proof the original still draws under the marks.
		content: '0.5 g 0 0 600 20 re f'
	}));

	it('PG1: inspection reports each page as displayed: turned, cropped, mixed sizes', async () => {
		const pdf = pagesPdf([
			...turned,
			{ media: [0, 0, 595.28, 841.89], crop: [30, 40, 530, 800] },
			{ media: [0, 0, 792, 612], crop: [100, 50, 700, 600], rotate: 90 },
			{ media: [-100, -50, 500, 400], rotate: -90 },
			// A CropBox reaching past the MediaBox is clipped to it, as viewers do.
			{ media: [0, 0, 300, 200], crop: [-50, -50, 250, 150], rotate: 45 }
		]);
		const result = await inspectPdf(pdf);
		expect(result).toMatchObject({
			ok: true,
			pageSizes: [
				{ width: 600, height: 400 },
				{ width: 400, height: 600 },
				{ width: 600, height: 400 },
				{ width: 400, height: 600 },
				{ width: 500, height: 760 },
				{ width: 550, height: 600 },
				{ width: 450, height: 600 },
				{ width: 250, height: 150 }
			]
		});
	});

	it('PG1: a /Rotate on the page tree node turns the pages that inherit it', async () => {
		const pdf = pagesPdf([{ media: [0, 0, 600, 400] }, { media: [0, 0, 600, 400], rotate: 0 }], {
			inheritRotate: 90
		});
		const result = await inspectPdf(pdf);
		expect(result).toMatchObject({
			pageSizes: [
				{ width: 400, height: 600 },
				{ width: 600, height: 400 }
			]
		});
		const m = manifest([seal(1, 60, 540), seal(2, 60, 340)]);
		const out = await renderChecked(pdf, m);
		expectUprightAt(popplerPage(out, 1, DPI), 60, 540);
		expectUprightAt(popplerPage(out, 2, DPI), 60, 340);
	});

	it.each(paths)(
		'PG1, P2: through %s, a seal placed at the displayed upper left lands there upright at 0/90/180/270°',
		async (_name, variant) => {
			const pdf = pagesPdf(turned);
			const sizes = [
				{ w: 600, h: 400 },
				{ w: 400, h: 600 },
				{ w: 600, h: 400 },
				{ w: 400, h: 600 }
			];
			// Upper left and, on the same page, lower right: a mirrored map would swap them.
			const seals = sizes.flatMap(({ w, h }, i) => [
				seal(i + 1, 60, h - 60),
				seal(i + 1, w - 100, 70)
			]);
			const out = await renderChecked(variant(pdf), manifest(seals));
			sizes.forEach(({ w, h }, i) => {
				const raster = popplerPage(out, i + 1, DPI);
				expect([raster.width, raster.height]).toEqual([Math.round(w * K), Math.round(h * K)]);
				const a = around(60, h - 60);
				const b = around(w - 100, 70);
				for (const { upper, lower, half } of [a, b]) {
					expect(countPixels(raster, DPI, upper, red)).toBeGreaterThan(half * 0.95);
					expect(countPixels(raster, DPI, lower, blue)).toBeGreaterThan(half * 0.95);
					expect(countPixels(raster, DPI, lower, red)).toBe(0);
				}
				// The original content is still drawn (a grey bar on some edge).
				const grey = (r: number, g: number, bl: number) =>
					Math.abs(r - 128) < 20 && Math.abs(g - 128) < 20 && Math.abs(bl - 128) < 20;
				expect(countPixels(raster, DPI, undefined, grey)).toBeGreaterThan(600 * 20 * K * K * 0.9);
			});
		}
	);

	it.each(paths)(
		'PG1, P3: through %s, CropBox offsets and mixed turned sizes: seals and a riding seam where displayed',
		async (_name, variant) => {
			const pages: RawPage[] = [
				{ media: [0, 0, 595.28, 841.89], crop: [30, 40, 530, 800] },
				{ media: [0, 0, 792, 612], crop: [100, 50, 700, 600], rotate: 90 },
				{ media: [-100, -50, 500, 400], rotate: 270 },
				{ media: [0, 0, 842, 595], rotate: 180 }
			];
			const pdf = pagesPdf(pages);
			const inspected = await inspectPdf(pdf);
			if (!inspected.ok) throw new Error(inspected.message);
			const sizes = inspected.pageSizes;
			const seals = sizes.map(({ height }, i) => seal(i + 1, 70, height - 70));
			const seam = {
				sealId: 'seal-contract',
				image: sha256Hex(upright),
				pages: 'all' as const,
				edge: 'right' as const,
				position: 0.5,
				sizeMm: { width: SIZE_MM, height: SIZE_MM }
			};
			const out = await renderChecked(variant(pdf), manifest(seals, [seam]));
			sizes.forEach(({ width, height }, i) => {
				const raster = popplerPage(out, i + 1, DPI);
				expect([raster.width, raster.height]).toEqual([
					Math.round(width * K),
					Math.round(height * K)
				]);
				const { upper, lower, half } = around(70, height - 70);
				expect(countPixels(raster, DPI, upper, red)).toBeGreaterThan(half * 0.95);
				expect(countPixels(raster, DPI, lower, blue)).toBeGreaterThan(half * 0.95);
				// The page's slice of the seam: flush with the displayed right edge, red above blue.
				const slice = SIDE / sizes.length;
				const strip = (y: number, h: number): Box => ({
					x: width - slice + 1 / K,
					y,
					width: slice - 2 / K,
					height: h
				});
				const mid = height / 2;
				const area = (slice - 2 / K) * (SIDE / 2 - 2 / K) * K * K;
				expect(countPixels(raster, DPI, strip(mid + 1 / K, SIDE / 2 - 2 / K), red)).toBeGreaterThan(
					area * 0.9
				);
				expect(
					countPixels(raster, DPI, strip(mid - SIDE / 2 + 1 / K, SIDE / 2 - 2 / K), blue)
				).toBeGreaterThan(area * 0.9);
			});
		}
	);
});

describe('marks survive unbalanced original content (P10)', () => {
	const cases: [string, string, RawPage['filter']?][] = [
		['more Q than q', 'Q Q Q 0.5 g 0 0 100 100 re f'],
		['more Q than q, deflated', 'Q Q Q 0.1 0 0 0.1 0 0 cm', 'FlateDecode'],
		['more Q than q, in ASCII hex', 'Q Q Q 0.1 0 0 0.1 0 0 cm', 'ASCIIHexDecode'],
		['a scaled transform left in place', '0.1 0 0 0.1 0 0 cm 0.5 g 0 0 100 100 re f'],
		['q without Q after a scale', '0.1 0 0 0.1 0 0 cm q 0.5 g 0 0 100 100 re f'],
		['Q, then a scale, then q', 'Q Q 0.1 0 0 0.1 0 0 cm q 0 0 0 0 re W n 1 0 0 1 -500 -500 cm'],
		['a clip to nothing left open', 'q 0 0 1 1 re W n']
	];
	const centre = { x: 300, y: 200 };
	const discArea = Math.PI * (SIDE / 2 - 2 / K) ** 2 * K * K;
	const inner: Box = around(centre.x, centre.y).box;

	it.each(paths)(
		'P10: through %s, the seal shows in poppler, Ghostscript and pdf.js',
		async (_n, variant) => {
			const pdf = pagesPdf([
				...cases.map(([, content, filter]) => ({
					media: [0, 0, 600, 400] as RawPage['media'],
					content,
					filter
				})),
				{ media: [0, 0, 600, 400], rotate: 90, content: 'Q Q Q 2 0 0 2 0 0 cm' }
			]);
			const seals = cases.map((_, i) => seal(i + 1, centre.x, centre.y, disc));
			seals.push(seal(cases.length + 1, 200, 300, disc));
			const out = await renderChecked(variant(pdf), manifest(seals));
			for (let page = 1; page <= cases.length + 1; page++) {
				const at = page > cases.length ? around(200, 300).box : inner;
				const label = cases[page - 1]?.[0] ?? 'turned page';
				for (const [engine, raster] of [
					['poppler', popplerPage(out, page, DPI)],
					['ghostscript', ghostscriptPage(out, page, DPI)],
					['pdf.js', await pdfjsPage(out, page, DPI)]
				] as const) {
					expect(countPixels(raster, DPI, at, red), `${label}: ${engine}`).toBeGreaterThan(
						discArea * 0.9
					);
				}
			}
		}
	);
});
