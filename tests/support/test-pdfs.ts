/**
 * PDF fixtures for the inspection, isolation and CLI tests, built in code (no committed
 * binaries) so every case says how it was made. Test support only: no application code imports
 * this module.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';

export const A4 = { width: 595.28, height: 841.89 };
export const LETTER_LANDSCAPE = { width: 792, height: 612 };

/**
 * Why: the normal case every refusal is measured against — a real multi-page document with
 * text, a font and object streams, of mixed page sizes so page sizes are checked per page.
 */
export async function multiPagePdf(
	sizes: { width: number; height: number }[] = [A4, LETTER_LANDSCAPE, A4]
): Promise<Uint8Array> {
	const doc = await PDFDocument.create({ updateMetadata: false });
	const font = await doc.embedFont(StandardFonts.Helvetica);
	sizes.forEach(({ width, height }, i) => {
		const page = doc.addPage([width, height]);
		page.drawText(`Contract page ${i + 1}`, { x: 50, y: height - 80, size: 14, font });
	});
	return new Uint8Array(await doc.save());
}

/** Why: a catalog with an empty page tree parses fine, yet there is nothing to sign. */
export async function noPagePdf(): Promise<Uint8Array> {
	const doc = await PDFDocument.create({ updateMetadata: false });
	// pdf-lib adds a blank page to an empty document on save unless told not to.
	return new Uint8Array(await doc.save({ addDefaultPage: false }));
}

/**
 * Why: qpdf is an outside judge of our PDFs — AES-256 encryption as real tools write it, with
 * encrypted object streams that defeat a strict parser.
 */
export function qpdfEncrypted(pdf: Uint8Array, userPassword = 'user'): Uint8Array {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-qpdf-'));
	try {
		writeFileSync(join(dir, 'in.pdf'), pdf);
		execFileSync('qpdf', [
			'--encrypt',
			userPassword,
			'owner',
			'256',
			'--',
			join(dir, 'in.pdf'),
			join(dir, 'out.pdf')
		]);
		return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Why: a second, independent producer of encrypted files (@cantoo/pdf-lib's own AES-256). */
export async function pdfLibEncrypted(): Promise<Uint8Array> {
	const doc = await PDFDocument.load(await multiPagePdf(), { updateMetadata: false });
	doc.encrypt({ userPassword: 'user', ownerPassword: 'owner' });
	return new Uint8Array(await doc.save());
}

/** Why: a download cut off part-way — the commonest damaged file in the field. */
export function truncated(pdf: Uint8Array, fraction: number): Uint8Array {
	return pdf.slice(0, Math.floor(pdf.byteLength * fraction));
}

/** Why: deterministic "random" bytes, so a failure reproduces. */
export function noise(length: number, seed = 42): Uint8Array {
	const bytes = new Uint8Array(length);
	let state = seed >>> 0;
	for (let i = 0; i < length; i++) {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		bytes[i] = state >>> 24;
	}
	return bytes;
}

/** Why: hand-written PDF text for structures no producer writes (loops, huge object counts). */
export function rawPdf(body: string, trailer: string): Uint8Array {
	return new TextEncoder().encode(`%PDF-1.7\n${body}trailer\n${trailer}\nstartxref\n0\n%%EOF\n`);
}

/** Why: a page tree whose node lists itself as its kid — a loop a naive walk never leaves. */
export function pageTreeLoopPdf(): Uint8Array {
	return rawPdf(
		'1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
			'2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n',
		'<< /Root 1 0 R /Size 3 >>'
	);
}

/**
 * Why: the pathological input for the killable runner — a structurally plausible file of
 * `objects` tiny objects. pdf-lib parses each one, so 400 000 of them (about 13 MB, well under
 * the 50 MB limit) take it many seconds: the worker must be killed, not waited for.
 */
export function hugeObjectCountPdf(objects = 400_000): Uint8Array {
	const parts: string[] = [
		'1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
		'2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n',
		'3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n'
	];
	for (let i = 4; i < objects + 4; i++) parts.push(`${i} 0 obj\n[${i - 1} 0 R]\nendobj\n`);
	return rawPdf(parts.join(''), `<< /Root 1 0 R /Size ${objects + 4} >>`);
}

/**
 * Why: the same document as other producers write it — qpdf with `args` (e.g. a classic
 * cross-reference table, pages inside object streams, linearisation) — so code that reads a
 * PDF's structure itself is tested on more than pdf-lib's layout.
 */
export function qpdfRewrite(pdf: Uint8Array, args: string[]): Uint8Array {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-qpdf-'));
	try {
		writeFileSync(join(dir, 'in.pdf'), pdf);
		execFileSync('qpdf', [...args, join(dir, 'in.pdf'), join(dir, 'out.pdf')]);
		return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Why: a PDF 1.4 file with a classic table whose pages inherit what many producers put on the
 * page tree node (Resources, MediaBox), with a CropBox that moves the page origin and contents
 * given as an array. Two A4 pages, each with a black 100 × 100 pt square at (200, 200) of the
 * visible area; the offsets of the table are computed, so the file is valid.
 */
export function inheritingPdf(): Uint8Array {
	const square = '0 0 0 rg 210 220 100 100 re f\n';
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 615.28 861.89] /Resources << /ProcSet [/PDF] >> >>',
		'<< /Type /Page /Parent 2 0 R /CropBox [10 20 605.28 861.89] /Contents [5 0 R 6 0 R] >>',
		'<< /Type /Page /Parent 2 0 R /CropBox [10 20 605.28 861.89] /Contents 7 0 R >>',
		`<< /Length 2 >>\nstream\nq\n\nendstream`,
		`<< /Length ${square.length + 2} >>\nstream\n${square}Q\n\nendstream`,
		`<< /Length ${square.length} >>\nstream\n${square}\nendstream`
	];
	let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
	const offsets: number[] = [];
	objects.forEach((object, i) => {
		offsets.push(body.length);
		body += `${i + 1} 0 obj\n${object}\nendobj\n`;
	});
	const xref = body.length;
	body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
	for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n\r\n`;
	body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Uint8Array.from(body, (c) => c.charCodeAt(0));
}

/**
 * Why: a contract amended after it was written — an incremental update appended by pdf-lib,
 * so the file has two cross-reference sections chained by /Prev and a changed first page.
 */
export async function amendedPdf(pdf: Uint8Array, text: string): Promise<Uint8Array> {
	const doc = await PDFDocument.load(pdf, { forIncrementalUpdate: true, updateMetadata: false });
	const font = await doc.embedFont(StandardFonts.Helvetica);
	doc.getPage(0).drawText(text, { x: 50, y: 60, size: 14, font });
	return new Uint8Array(await doc.commit());
}
