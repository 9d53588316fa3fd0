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
 * Why: qpdf is the outside judge (DESIGN §4) — AES-256 encryption as real tools write it, with
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
