import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Raster } from './poppler';

/*
 * Second and third opinions beside poppler: Ghostscript and pdf.js (the engine the app shows
 * contracts with), each rasterising one page as displayed (CropBox, /Rotate applied) into the
 * same RGB raster shape poppler.ts reads, so the same pixel counters judge all three.
 */

/** poppler's pdftoppm, the visible box only (`-cropbox`): the raster is the displayed page. */
export function popplerPage(pdf: Uint8Array, page: number, dpi: number): Raster {
	return withFile(pdf, (file, dir) => {
		const out = join(dir, 'p');
		execFileSync('pdftoppm', [
			'-r',
			String(dpi),
			'-cropbox',
			'-f',
			String(page),
			'-l',
			String(page),
			'-singlefile',
			file,
			out
		]);
		return parsePpm(readFileSync(`${out}.ppm`));
	});
}

/** Ghostscript's ppmraw device, CropBox as page size. */
export function ghostscriptPage(pdf: Uint8Array, page: number, dpi: number): Raster {
	return withFile(pdf, (file, dir) => {
		const out = join(dir, 'p.ppm');
		execFileSync(
			'gs',
			[
				'-q',
				'-dSAFER',
				'-dBATCH',
				'-dNOPAUSE',
				'-sDEVICE=ppmraw',
				`-r${dpi}`,
				'-dUseCropBox',
				`-dFirstPage=${page}`,
				`-dLastPage=${page}`,
				`-sOutputFile=${out}`,
				file
			],
			{ stdio: ['ignore', 'pipe', 'pipe'] }
		);
		return parsePpm(readFileSync(out));
	});
}

/** pdf.js (legacy build, Node) with @napi-rs/canvas, at `dpi` and the page's own rotation. */
export async function pdfjsPage(pdf: Uint8Array, page: number, dpi: number): Promise<Raster> {
	const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
	const { createCanvas } = await import('@napi-rs/canvas');
	const doc = await getDocument({
		data: pdf.slice(),
		isEvalSupported: false,
		verbosity: 0
	}).promise;
	try {
		const p = await doc.getPage(page);
		const viewport = p.getViewport({ scale: dpi / 72 });
		const width = Math.round(viewport.width);
		const height = Math.round(viewport.height);
		const canvas = createCanvas(width, height);
		const context = canvas.getContext('2d');
		context.fillStyle = '#fff';
		context.fillRect(0, 0, width, height);
		await p.render({
			canvas: canvas as unknown as HTMLCanvasElement,
			viewport
		}).promise;
		const rgba = context.getImageData(0, 0, width, height).data;
		const data = new Uint8Array(width * height * 3);
		for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
			data[j] = rgba[i]!;
			data[j + 1] = rgba[i + 1]!;
			data[j + 2] = rgba[i + 2]!;
		}
		return { width, height, data };
	} finally {
		await doc.destroy();
	}
}

function parsePpm(buffer: Buffer): Raster {
	// P6, width, height, maxval, one white-space byte; Ghostscript adds # comment lines.
	const header = buffer.subarray(0, 200).toString('latin1');
	const match = /^P6\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
	if (!match) throw new Error('not a binary PPM');
	return {
		width: +match[1]!,
		height: +match[2]!,
		data: new Uint8Array(buffer.subarray(match[0].length))
	};
}

function withFile<T>(pdf: Uint8Array, run: (file: string, dir: string) => T): T {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-render-'));
	try {
		const file = join(dir, 'doc.pdf');
		writeFileSync(file, pdf);
		return run(file, dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** A box in points on the displayed page, origin at its lower-left corner. */
export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/**
 * Counts the pixels of a displayed-page raster inside `box` (or the whole page) that pass
 * `test`. The raster's top row is the displayed page's top edge.
 */
export function countPixels(
	raster: Raster,
	dpi: number,
	box: Box | undefined,
	test: (r: number, g: number, b: number) => boolean
): number {
	const k = dpi / 72;
	const x0 = box ? Math.max(0, Math.round(box.x * k)) : 0;
	const x1 = box ? Math.min(raster.width, Math.round((box.x + box.width) * k)) : raster.width;
	const y0 = box ? Math.max(0, Math.round(raster.height - (box.y + box.height) * k)) : 0;
	const y1 = box ? Math.min(raster.height, Math.round(raster.height - box.y * k)) : raster.height;
	let count = 0;
	for (let y = y0; y < y1; y++) {
		for (let x = x0; x < x1; x++) {
			const i = (y * raster.width + x) * 3;
			if (test(raster.data[i]!, raster.data[i + 1]!, raster.data[i + 2]!)) count++;
		}
	}
	return count;
}

/** Seal red, as poppler.ts's isRed. */
export const red = (r: number, g: number, b: number) => r > 150 && g < 110 && b < 110;
/** The blue of the test seal's lower half. */
export const blue = (r: number, g: number, b: number) => b > 150 && r < 110 && g < 110;
