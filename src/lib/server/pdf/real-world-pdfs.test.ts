import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mmToPt } from '$lib/domain/envelope';
import type { FreeSeal, Manifest } from '$lib/domain/manifest';
import { sampleManifest } from '$lib/domain/fixtures';
import { render, RenderError } from '$lib/pdf/render';
import { inspectPdfIsolated } from './pdf-inspect';
import { sha256Hex, uprightSealPng } from '../../../../tests/support/images';
import { qpdfCheck } from '../../../../tests/support/poppler';
import {
	blue,
	countPixels,
	ghostscriptPage,
	pdfjsPage,
	popplerPage,
	red,
	type Box
} from '../../../../tests/support/renderers';

/*
 * P11: PDFs from producers we do not control (tests/fixtures/real-world/README.md says where
 * each came from), through the server's own path — the killable inspection, then render() — and
 * judged from outside: qpdf for structure; pdftoppm, pdf.js and Ghostscript for what a reader
 * sees.
 */

const DIR = join(process.cwd(), 'tests', 'fixtures', 'real-world');
const corpus: { file: string; producer: string; expect: string }[] = JSON.parse(
	readFileSync(join(DIR, 'corpus.json'), 'utf8')
);
const DPI = 36;
const K = DPI / 72;
const SIZE_MM = 30;
const SIDE = mmToPt(SIZE_MM);
let upright: Uint8Array;

beforeAll(async () => {
	upright = await uprightSealPng();
});

function seal(page: number, x: number, y: number): FreeSeal {
	return {
		sealId: 'seal-contract',
		image: sha256Hex(upright),
		page,
		centre: { x, y },
		sizeMm: { width: SIZE_MM, height: SIZE_MM }
	};
}

/** The pages count poppler reads, for files it reads without repair. */
function popplerPages(pdf: string): number {
	const info = execFileSync('pdfinfo', [pdf], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
	return Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
}

/** Red above blue in the seal's square: the stamp is there and upright. */
function expectStamp(raster: ReturnType<typeof popplerPage>, x: number, y: number, who: string) {
	const m = 2 / K;
	const upper: Box = {
		x: x - SIDE / 2 + m,
		y: y + m,
		width: SIDE - 2 * m,
		height: SIDE / 2 - 2 * m
	};
	const lower: Box = { ...upper, y: y - SIDE / 2 + m };
	const half = upper.width * upper.height * K * K;
	expect(countPixels(raster, DPI, upper, red), `${who}: red upper half`).toBeGreaterThan(
		half * 0.95
	);
	expect(countPixels(raster, DPI, lower, blue), `${who}: blue lower half`).toBeGreaterThan(
		half * 0.95
	);
}

describe('real-world PDFs (P11)', () => {
	it('P11: the corpus is small and every file in it is listed', () => {
		const files = execFileSync('ls', [DIR])
			.toString()
			.split('\n')
			.filter((f) => f.endsWith('.pdf'));
		expect(files.sort()).toEqual(corpus.map((c) => c.file).sort());
		const total = files.reduce((sum, f) => sum + readFileSync(join(DIR, f)).byteLength, 0);
		expect(total).toBeLessThan(1024 * 1024);
	});

	it.each(corpus)(
		'P11: $file ($producer) → $expect',
		async ({ file, expect: outcome }) => {
			const path = join(DIR, file);
			const bytes = new Uint8Array(readFileSync(path));
			const inspection = await inspectPdfIsolated(bytes, { timeoutMs: 15_000 });
			if (outcome !== 'render') {
				expect(inspection).toMatchObject({ ok: false, code: outcome });
				// render() refuses it too (the server never gets there, the CLI might).
				if (outcome === 'PDF_ENCRYPTED') {
					await expect(render(bytes, [], new Map())).rejects.toBeInstanceOf(RenderError);
				}
				return;
			}
			if (!inspection.ok) throw new Error(`${file}: ${inspection.code} ${inspection.message}`);
			const before = qpdfCheck(bytes).status;
			if (before === 0) expect(inspection.pages).toBe(popplerPages(path));

			const { pages, pageSizes } = inspection;
			const first = pageSizes[0]!;
			const last = pageSizes[pages - 1]!;
			// Upper left of page 1, centre of the last page: on the page as displayed (PG1).
			const seals = [seal(1, 70, first.height - 70), seal(pages, last.width / 2, last.height / 2)];
			const manifest: Manifest = sampleManifest({ fills: [], seals, ridingSeams: [] });
			const out = await render(bytes, [manifest], new Map([[sha256Hex(upright), upright]]));

			// Structure: as clean as the original was.
			const after = qpdfCheck(out);
			if (before === 0) expect(after.status, after.output).toBe(0);
			else expect([0, 3], after.output).toContain(after.status);

			// What readers see: the displayed page's size, the stamp where placed, upright.
			const page1 = popplerPage(out, 1, DPI);
			// (pdftoppm rounds a fractional page size either way: a pixel of slack.)
			expect(Math.abs(page1.width - first.width * K)).toBeLessThanOrEqual(1);
			expect(Math.abs(page1.height - first.height * K)).toBeLessThanOrEqual(1);
			expectStamp(page1, 70, first.height - 70, 'poppler');
			expectStamp(popplerPage(out, pages, DPI), last.width / 2, last.height / 2, 'poppler');
			expectStamp(await pdfjsPage(out, 1, DPI), 70, first.height - 70, 'pdf.js');
			expectStamp(ghostscriptPage(out, 1, DPI), 70, first.height - 70, 'Ghostscript');
		},
		30_000
	);
});
