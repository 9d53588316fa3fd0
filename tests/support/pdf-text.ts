import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Poppler's reading of a PDF's text: what a reader's copy, search and screen reader get, and
 * where each word sits. A word that comes back as text was drawn with a real glyph and a
 * ToUnicode mapping, not as an empty box.
 */

/** `pdftotext -layout` of pages first…last (all when omitted). */
export function pdfText(pdf: Uint8Array, first?: number, last?: number): string {
	return withFile(pdf, (file) => {
		const range = first ? ['-f', String(first), '-l', String(last ?? first)] : [];
		return execFileSync('pdftotext', ['-enc', 'UTF-8', ...range, file, '-']).toString();
	});
}

export interface WordBox {
	page: number;
	/** Page size in points. */
	pageWidth: number;
	pageHeight: number;
	/** Box in points from the page's top-left corner, as pdftotext -bbox gives it. */
	xMin: number;
	yMin: number;
	xMax: number;
	yMax: number;
	text: string;
}

/** Every word's box from `pdftotext -bbox`, pages in order. */
export function wordBoxes(pdf: Uint8Array): WordBox[] {
	const html = withFile(pdf, (file) =>
		execFileSync('pdftotext', ['-enc', 'UTF-8', '-bbox', file, '-']).toString()
	);
	const out: WordBox[] = [];
	let page = 0;
	let pageWidth = 0;
	let pageHeight = 0;
	const pageRe = /<page width="([\d.]+)" height="([\d.]+)">/;
	const wordRe =
		/<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)<\/word>/;
	for (const line of html.split('\n')) {
		const p = pageRe.exec(line);
		if (p) {
			page++;
			pageWidth = +p[1]!;
			pageHeight = +p[2]!;
			continue;
		}
		const w = wordRe.exec(line);
		if (w) {
			out.push({
				page,
				pageWidth,
				pageHeight,
				xMin: +w[1]!,
				yMin: +w[2]!,
				xMax: +w[3]!,
				yMax: +w[4]!,
				text: w[5]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
			});
		}
	}
	return out;
}

/** `pdffonts` rows: name, type, embedded, subset, unicode. */
export function pdfFonts(
	pdf: Uint8Array
): { name: string; type: string; embedded: boolean; subset: boolean; unicode: boolean }[] {
	return withFile(pdf, (file) =>
		execFileSync('pdffonts', [file])
			.toString()
			.split('\n')
			.slice(2)
			.filter((line) => line.trim())
			.map((line) => {
				const c = line.trim().split(/\s+/);
				// name, type words…, encoding, emb, sub, uni, object, generation
				const [emb, sub, uni] = c.slice(-5, -2);
				return {
					name: c[0]!,
					type: c.slice(1, -6).join(' '),
					embedded: emb === 'yes',
					subset: sub === 'yes',
					unicode: uni === 'yes'
				};
			})
	);
}

function withFile<T>(pdf: Uint8Array, run: (file: string) => T): T {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-text-'));
	try {
		const file = join(dir, 'doc.pdf');
		writeFileSync(file, pdf);
		return run(file);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
