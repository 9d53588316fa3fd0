import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Outside judges for the PDFs we write: qpdf and poppler see the file as any reader would,
 * so a test that passes here is not merely agreeing with our own parser.
 */

/** Runs `qpdf --check`; returns its exit status (0 clean, 2 errors, 3 warnings) and output. */
export function qpdfCheck(pdf: Uint8Array): { status: number; output: string } {
	return withFile(pdf, (file) => {
		try {
			return { status: 0, output: execFileSync('qpdf', ['--check', file]).toString() };
		} catch (error) {
			const e = error as { status: number; stdout: Buffer; stderr: Buffer };
			return { status: e.status, output: `${e.stdout}${e.stderr}` };
		}
	});
}

export interface ImageRow {
	page: number;
	type: string;
	width: number;
	height: number;
	object: number;
}

/** `pdfimages -list`, parsed: one row per image placement, with the object number behind it. */
export function pdfImages(pdf: Uint8Array): ImageRow[] {
	return withFile(pdf, (file) =>
		execFileSync('pdfimages', ['-list', file])
			.toString()
			.split('\n')
			.slice(2)
			.filter((line) => line.trim())
			.map((line) => {
				const c = line.trim().split(/\s+/);
				return { page: +c[0]!, type: c[2]!, width: +c[3]!, height: +c[4]!, object: +c[10]! };
			})
	);
}

export interface Raster {
	width: number;
	height: number;
	/** RGB bytes, row-major from the top-left. */
	data: Uint8Array;
}

/** Rasterises pages with pdftoppm at `dpi` (1 pt = dpi/72 px) into RGB rasters, page order. */
export function rasterise(pdf: Uint8Array, dpi: number, first?: number, last?: number): Raster[] {
	return withFile(pdf, (file, dir) => {
		const range = first ? ['-f', String(first), '-l', String(last ?? first)] : [];
		execFileSync('pdftoppm', ['-r', String(dpi), ...range, file, join(dir, 'p')]);
		return readdirSync(dir)
			.filter((f) => f.endsWith('.ppm'))
			.sort()
			.map((f) => parsePpm(readFileSync(join(dir, f))));
	});
}

function parsePpm(buffer: Buffer): Raster {
	// P6\n<width> <height>\n255\n<binary>
	const header = buffer.subarray(0, 50).toString('latin1');
	const match = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
	if (!match) throw new Error('not a binary PPM');
	const width = +match[1]!;
	const height = +match[2]!;
	return { width, height, data: new Uint8Array(buffer.subarray(match[0].length)) };
}

/** Seal red: strong red, weak green and blue (signature ink is black, page text grey). */
export function isRed(r: number, g: number, b: number): boolean {
	return r > 150 && g < 110 && b < 110;
}

/** Counts red pixels inside a box given in PDF points (origin bottom-left), or the whole page. */
export function redPixels(
	raster: Raster,
	dpi: number,
	box?: { x: number; y: number; width: number; height: number }
): number {
	const k = dpi / 72;
	const x0 = box ? Math.max(0, Math.floor(box.x * k)) : 0;
	const x1 = box ? Math.min(raster.width, Math.ceil((box.x + box.width) * k)) : raster.width;
	const y0 = box ? Math.max(0, Math.floor(raster.height - (box.y + box.height) * k)) : 0;
	const y1 = box ? Math.min(raster.height, Math.ceil(raster.height - box.y * k)) : raster.height;
	let count = 0;
	for (let y = y0; y < y1; y++) {
		for (let x = x0; x < x1; x++) {
			const i = (y * raster.width + x) * 3;
			if (isRed(raster.data[i]!, raster.data[i + 1]!, raster.data[i + 2]!)) count++;
		}
	}
	return count;
}

function withFile<T>(pdf: Uint8Array, run: (file: string, dir: string) => T): T {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-pdf-'));
	try {
		const file = join(dir, 'doc.pdf');
		writeFileSync(file, pdf);
		return run(file, dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Runs `pdfsig` (poppler's signature check) and returns its report. pdfsig exits 0 whatever it
 * finds, so callers read the text ("Signature is Valid.", "Digest Mismatch.", "Total document
 * signed"). With `nssDir`, certificates are judged against that NSS database.
 */
export function pdfsig(pdf: Uint8Array, nssDir?: string): string {
	return withFile(pdf, (file) => {
		const args = nssDir ? ['-nssdir', `sql:${nssDir}`, file] : [file];
		const result = spawnSync('pdfsig', args);
		return `${result.stdout}${result.stderr}`;
	});
}

/**
 * An NSS database (certutil, Debian's libnss3-tools) that trusts the given CA certificates, as
 * a reader who imported them would; remove it with `rmSync(dir, { recursive: true })`.
 */
export function nssTrusting(caPems: string[]): string {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-nss-'));
	execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'pipe' });
	caPems.forEach((pem, i) => {
		const file = join(dir, `ca${i}.pem`);
		writeFileSync(file, pem);
		execFileSync(
			'certutil',
			['-A', '-n', `ca${i}`, '-t', 'C,C,C', '-i', file, '-d', `sql:${dir}`],
			{
				stdio: 'pipe'
			}
		);
	});
	return dir;
}
