import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { render as renderRaw, RenderError } from './render';
import { mmToPt } from '$lib/domain/envelope';
import type { Manifest } from '$lib/domain/manifest';
import { placeOf, sampleManifest } from '$lib/domain/fixtures';
import {
	discSealPng,
	officialSealPng,
	photoJpeg,
	sha256Hex,
	signaturePng
} from '../../../tests/support/images';
import { cjkFontBytes, textPdf } from '../../../tests/support/pdfs';
import {
	amendedPdf,
	inheritingPdf,
	qpdfEncrypted,
	qpdfRewrite
} from '../../../tests/support/test-pdfs';
import {
	pdfImages,
	qpdfCheck,
	rasterise,
	redPixels,
	type Raster
} from '../../../tests/support/poppler';

/** render(), with qpdf judging every PDF the tests produce. */
async function render(...args: Parameters<typeof renderRaw>) {
	const out = await renderRaw(...args);
	const check = qpdfCheck(out);
	if (check.status !== 0) throw new Error(`qpdf --check failed (${check.status}): ${check.output}`);
	return out;
}

const DPI = 36; // 0.5 px per point: fast, and a 42 mm seal is still ~60 px wide
let original: Uint8Array;
let signature: Uint8Array;
let seal: Uint8Array;
let assets: Map<string, Uint8Array>;
let sigHash: string;
let sealHash: string;

beforeAll(async () => {
	original = await textPdf(3, { chinese: true });
	signature = await signaturePng();
	seal = await discSealPng();
	sigHash = sha256Hex(signature);
	sealHash = sha256Hex(seal);
	assets = new Map([
		[sigHash, signature],
		[sealHash, seal]
	]);
});

/** The sample manifest with this run's real image hashes. */
function manifest(over: Partial<Manifest> = {}): Manifest {
	const m = sampleManifest(over);
	const swap = (h: string) =>
		h === 'b'.repeat(64) ? sigHash : h === 'c'.repeat(64) ? sealHash : h;
	for (const f of m.fills) if ('image' in f) f.image = swap(f.image);
	for (const s of m.seals) s.image = swap(s.image);
	for (const s of m.ridingSeams) s.image = swap(s.image);
	return m;
}

const seal42 = mmToPt(42);

describe('render', () => {
	it('P1: gives identical bytes for identical inputs, and a valid PDF by qpdf', async () => {
		const m = manifest();
		const a = await render(original, [m], assets, { font: cjkFontBytes() });
		const b = await render(original, [m], new Map(assets), { font: cjkFontBytes() });
		expect(sha256Hex(a)).toBe(sha256Hex(b));
		expect(qpdfCheck(a).status).toBe(0);
	});

	it('P2: draws seals at their real size where they belong, and no red anywhere else', async () => {
		const m = manifest({ ridingSeams: [] });
		const pdf = await render(original, [m], assets, { font: cjkFontBytes() });
		const [p1, p2, p3] = rasterise(pdf, DPI);
		expect(redPixels(p1!, DPI)).toBe(0);
		// Free seal on page 2, centred at (300, 400): a disc of 42 mm ≈ 119 pt.
		const free = { x: 300 - seal42 / 2, y: 400 - seal42 / 2, width: seal42, height: seal42 };
		const disc = Math.PI * (seal42 / 2) ** 2 * (DPI / 72) ** 2;
		expect(redPixels(p2!, DPI, free)).toBeGreaterThan(disc * 0.9);
		expect(redPixels(p2!, DPI)).toBe(redPixels(p2!, DPI, free));
		// Seal field on page 3 at (80, 260, 120 × 120): the seal is centred on the field.
		const field = placeOf('f-seal-a').rect;
		const cx = field.x + field.width / 2;
		const cy = field.y + field.height / 2;
		const box = { x: cx - seal42 / 2, y: cy - seal42 / 2, width: seal42, height: seal42 };
		expect(redPixels(p3!, DPI, box)).toBeGreaterThan(disc * 0.9);
		expect(redPixels(p3!, DPI)).toBe(redPixels(p3!, DPI, box));
	});

	it('P2: a generated official seal lands red inside its square, with transparent surroundings', async () => {
		const official = await officialSealPng();
		const hash = sha256Hex(official);
		const m = manifest({ fills: [], ridingSeams: [] });
		m.seals[0]!.image = hash;
		const pdf = await render(original, [m], new Map([[hash, official]]));
		const page2 = rasterise(pdf, 72, 2)[0]!;
		const box = { x: 300 - seal42 / 2, y: 400 - seal42 / 2, width: seal42, height: seal42 };
		const inside = redPixels(page2, 72, box);
		// Ring, star and text: a good part of the seal's square, and nothing red outside it.
		expect(inside).toBeGreaterThan(seal42 * seal42 * 0.1);
		expect(redPixels(page2, 72)).toBe(inside);
	});

	it('P3: a riding seam puts a slice at the edge of every page, and the slices make the whole seal', async () => {
		const pdf = await render(original, [manifest({ fills: [], seals: [] })], assets);
		const pages = rasterise(pdf, DPI);
		const whole = rasterise(
			await render(original, [manifest({ fills: [], ridingSeams: [] })], assets),
			DPI,
			2
		)[0]!;
		const wholeRed = redPixels(whole, DPI);
		const slice = seal42 / 3;
		const y = 0.5 * 841.89 - seal42 / 2;
		let total = 0;
		for (const page of pages) {
			const strip = { x: 595.28 - slice, y, width: slice, height: seal42 };
			const inStrip = redPixels(page, DPI, strip);
			expect(inStrip).toBeGreaterThan(0);
			expect(redPixels(page, DPI)).toBe(inStrip);
			total += inStrip;
		}
		// Slices of a disc: the middle one is the fattest.
		const counts = pages.map((p) => redPixels(p, DPI));
		expect(counts[1]!).toBeGreaterThan(counts[0]!);
		expect(counts[1]!).toBeGreaterThan(counts[2]!);
		expect(Math.abs(total - wholeRed) / wholeRed).toBeLessThan(0.05);
	});

	it('P3: a left-edge seam over chosen pages marks only those pages, at the left edge', async () => {
		const m = manifest({ fills: [], seals: [] });
		m.ridingSeams = [{ ...m.ridingSeams[0]!, pages: [1, 3], edge: 'left', position: 0.3 }];
		const pages = rasterise(await render(original, [m], assets), DPI);
		const strip = { x: 0, y: 0.3 * 841.89 - seal42 / 2, width: seal42 / 2, height: seal42 };
		expect(redPixels(pages[0]!, DPI, strip)).toBeGreaterThan(0);
		expect(redPixels(pages[0]!, DPI)).toBe(redPixels(pages[0]!, DPI, strip));
		expect(redPixels(pages[1]!, DPI)).toBe(0);
		expect(redPixels(pages[2]!, DPI, strip)).toBe(redPixels(pages[2]!, DPI));
	});

	it('P4: embeds each distinct image once however many pages show it', async () => {
		const pdf = await render(original, [manifest()], assets, { font: cjkFontBytes() });
		const rows = pdfImages(pdf).filter((r) => r.type === 'image');
		// signature once, seal on: field (p3), free (p2), seam (p1–p3) = 5 placements.
		expect(rows.length).toBe(6);
		expect(new Set(rows.map((r) => r.object)).size).toBe(2);
	});

	it('P5: a rejected manifest draws nothing', async () => {
		const rejected = manifest({ decision: { kind: 'rejected', reason: '金额有误' } });
		const pdf = await render(original, [rejected], assets);
		expect(pdfImages(pdf)).toEqual([]);
		for (const page of rasterise(pdf, DPI)) expect(redPixels(page, DPI)).toBe(0);
	});

	it('P6: fits a signature into its field keeping its aspect ratio', async () => {
		const m = manifest({ seals: [], ridingSeams: [] });
		m.fills = m.fills.filter((f) => f.kind === 'signature');
		const pdf = await render(original, [m], assets);
		const [row] = pdfImages(pdf).filter((r) => r.type === 'image');
		expect(row).toMatchObject({ page: 3, width: 600, height: 200 });
	});

	it('P7: renders date text with the CJK font so poppler can read it back', async () => {
		const { execFileSync } = await import('node:child_process');
		const { writeFileSync, mkdtempSync } = await import('node:fs');
		const { join } = await import('node:path');
		const { tmpdir } = await import('node:os');
		const pdf = await render(original, [manifest({ seals: [], ridingSeams: [] })], assets, {
			font: cjkFontBytes()
		});
		const file = join(mkdtempSync(join(tmpdir(), 'sp-date-')), 'd.pdf');
		writeFileSync(file, pdf);
		expect(execFileSync('pdftotext', ['-f', '3', '-l', '3', file, '-']).toString()).toContain(
			'2026年3月1日'
		);
	});

	it('P8: refuses missing and invalid images, and encrypted or broken originals, with codes', async () => {
		const code = (p: Promise<unknown>) =>
			p.then(
				() => 'resolved',
				(e) => (e instanceof RenderError ? e.code : String(e))
			);
		expect(await code(render(original, [manifest()], new Map([[sigHash, signature]])))).toBe(
			'IMAGE_MISSING'
		);
		const bogus = new Map(assets);
		bogus.set(sealHash, new TextEncoder().encode('not an image at all'));
		expect(await code(render(original, [manifest()], bogus))).toBe('IMAGE_INVALID');
		expect(await code(render(original.slice(0, 200), [], assets))).toBe('PDF_MALFORMED');
		expect(await code(render(qpdfEncrypted(original), [], assets))).toBe('PDF_ENCRYPTED');
		const jpeg = await photoJpeg();
		const withJpeg = manifest({ fills: [], ridingSeams: [] });
		withJpeg.seals[0]!.image = sha256Hex(jpeg);
		const out = await render(original, [withJpeg], new Map([[sha256Hex(jpeg), jpeg]]));
		expect(pdfImages(out)[0]).toMatchObject({ page: 2, width: 320, height: 240 });
	});
});

/** Near-black pixels inside a box in PDF points (origin bottom-left): what a drawn square leaves. */
function blackPixels(
	raster: Raster,
	dpi: number,
	box: { x: number; y: number; width: number; height: number }
) {
	const k = dpi / 72;
	let count = 0;
	for (
		let y = Math.floor(raster.height - (box.y + box.height) * k);
		y < raster.height - box.y * k;
		y++
	) {
		for (let x = Math.floor(box.x * k); x < (box.x + box.width) * k; x++) {
			const i = (y * raster.width + x) * 3;
			if (raster.data[i]! < 40 && raster.data[i + 1]! < 40 && raster.data[i + 2]! < 40) count++;
		}
	}
	return count;
}

function pdfText(pdf: Uint8Array, page: number): string {
	const dir = mkdtempSync(join(tmpdir(), 'sp-text-'));
	try {
		const file = join(dir, 'd.pdf');
		writeFileSync(file, pdf);
		return execFileSync('pdftotext', [
			'-f',
			String(page),
			'-l',
			String(page),
			file,
			'-'
		]).toString();
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Whether qpdf --check finds the file linearised (and its linearisation valid to check). */
function linearized(pdf: Uint8Array): boolean {
	return /^File is linearized$/m.test(qpdfCheck(pdf).output);
}

describe('render on originals of every structure (P9)', () => {
	let plain: Uint8Array;
	beforeAll(async () => {
		plain = await textPdf(3);
	});
	const box = { x: 300 - seal42 / 2, y: 400 - seal42 / 2, width: seal42, height: seal42 };
	const disc = Math.PI * (seal42 / 2) ** 2 * (DPI / 72) ** 2;
	/** A free seal on page 2 and a riding seam over all pages: what each variant must show. */
	const sealAndSeam = () => manifest({ fills: [] });

	/**
	 * The marks are where they belong, and on every page. `origin`: where the visible area
	 * starts in the raster (pdftoppm draws the whole MediaBox).
	 */
	function expectMarked(pdf: Uint8Array, pageCount: number, origin = { x: 0, y: 0 }) {
		const pages = rasterise(pdf, DPI);
		expect(pages.length).toBe(pageCount);
		const at = (r: typeof box) => ({ ...r, x: r.x + origin.x, y: r.y + origin.y });
		expect(redPixels(pages[1]!, DPI, at(box))).toBeGreaterThan(disc * 0.9);
		const slice = seal42 / pageCount;
		const strip = at({
			x: 595.28 - slice,
			y: 0.5 * 841.89 - seal42 / 2,
			width: slice,
			height: seal42
		});
		for (const page of pages) expect(redPixels(page, DPI, strip)).toBeGreaterThan(0);
		return pages;
	}

	it.each([
		['pdf-lib with object and xref streams', [] as string[]],
		[
			'a PDF 1.4 classic table, no object streams',
			['--object-streams=disable', '--force-version=1.4']
		],
		['page dictionaries inside object streams', ['--object-streams=generate']],
		['a linearised file', ['--linearize']]
	])('P9: draws the marks into %s and keeps its text', async (_name, args) => {
		const original = args.length ? qpdfRewrite(plain, args) : plain;
		const pdf = await render(original, [sealAndSeam()], assets);
		expectMarked(pdf, 3);
		expect(pdfText(pdf, 2)).toContain('Page 2, line 1:');
		if (args.includes('--linearize')) {
			// Objects moved, so the file must no longer claim to be linearised.
			expect(linearized(original)).toBe(true);
			expect(linearized(pdf)).toBe(false);
		}
	});

	it('P9: draws into pages that inherit their resources and box, under a moved CropBox', async () => {
		const original = inheritingPdf();
		const m = sealAndSeam();
		const pdf = await render(original, [m], assets);
		const pages = expectMarked(pdf, 2, { x: 10, y: 20 });
		// The squares at (200, 200) of the visible area on both pages are still drawn.
		const square = { x: 215, y: 225, width: 90, height: 90 };
		for (const page of pages)
			expect(blackPixels(page, DPI, square)).toBeGreaterThan(90 * 90 * (DPI / 72) ** 2 * 0.9);
	});

	it('P9: draws into an amended file (an incremental update) and into an already rendered one', async () => {
		const amended = await amendedPdf(plain, 'Amendment one');
		const first = await render(amended, [sealAndSeam()], assets);
		expectMarked(first, 3);
		expect(pdfText(first, 1)).toContain('Amendment one');
		// A second pass over the result: a seal on page 3 joins the marks already there.
		const m = manifest({ fills: [], ridingSeams: [] });
		m.seals[0] = { ...m.seals[0]!, page: 3 };
		const second = await render(first, [m], assets);
		const pages = expectMarked(second, 3);
		expect(redPixels(pages[2]!, DPI, box)).toBeGreaterThan(disc * 0.9);
	});

	it('P9: a file whose cross-reference data is wrong is still drawn (the full parser repairs it)', async () => {
		const text = new TextDecoder('latin1').decode(plain);
		const at = text.lastIndexOf('startxref');
		const broken = new Uint8Array([
			...plain.subarray(0, at),
			...new TextEncoder().encode('startxref\n12\n%%EOF\n')
		]);
		const pdf = await render(broken, [sealAndSeam()], assets);
		expectMarked(pdf, 3);
	});
});
