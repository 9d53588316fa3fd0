import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DEFAULT_PDF_LIMITS, inspectPdf } from './inspect';
import {
	A4,
	LETTER_LANDSCAPE,
	multiPagePdf,
	noPagePdf,
	noise,
	pageTreeLoopPdf,
	pdfLibEncrypted,
	qpdfEncrypted,
	rawPdf,
	truncated
} from '../../../tests/support/test-pdfs';

describe('inspectPdf', () => {
	it('accepts a normal multi-page PDF and reports each page size', async () => {
		const pdf = await multiPagePdf();
		const copy = pdf.slice();
		expect(await inspectPdf(pdf)).toEqual({
			ok: true,
			pages: 3,
			size: pdf.byteLength,
			encrypted: false,
			pageSizes: [A4, LETTER_LANDSCAPE, A4]
		});
		// Inspection reads, never writes: the caller stores these exact bytes afterwards.
		expect(pdf).toEqual(copy);
	});

	it('reports the visible CropBox, not the MediaBox', async () => {
		const pdf = rawPdf(
			'1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
				'2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 600 800] >>\nendobj\n' +
				'3 0 obj\n<< /Type /Page /Parent 2 0 R /CropBox [10 20 510 720] >>\nendobj\n',
			'<< /Root 1 0 R /Size 4 >>'
		);
		const result = await inspectPdf(pdf);
		expect(result).toMatchObject({ ok: true, pages: 1, pageSizes: [{ width: 500, height: 700 }] });
	});

	it('refuses a PDF encrypted by qpdf (AES-256) with PDF_ENCRYPTED', async () => {
		const result = await inspectPdf(qpdfEncrypted(await multiPagePdf()));
		expect(result).toMatchObject({ ok: false, code: 'PDF_ENCRYPTED', encrypted: true, pages: 3 });
	});

	it('refuses an encrypted PDF even when it opens without a password', async () => {
		// An empty user password: viewers open it silently, but its content is still encrypted.
		const result = await inspectPdf(qpdfEncrypted(await multiPagePdf(), ''));
		expect(result).toMatchObject({ ok: false, code: 'PDF_ENCRYPTED', encrypted: true });
	});

	it('refuses a PDF encrypted by @cantoo/pdf-lib with PDF_ENCRYPTED', async () => {
		const result = await inspectPdf(await pdfLibEncrypted());
		expect(result).toMatchObject({ ok: false, code: 'PDF_ENCRYPTED', encrypted: true });
	});

	it.each([0.1, 0.3, 0.6, 0.9, 0.99])(
		'refuses a PDF truncated to %s of its length as PDF_MALFORMED',
		async (fraction) => {
			const pdf = await multiPagePdf();
			const cut = truncated(pdf, fraction);
			expect(await inspectPdf(cut)).toMatchObject({
				ok: false,
				code: 'PDF_MALFORMED',
				size: cut.byteLength
			});
		}
	);

	it('refuses things that are not PDFs as PDF_MALFORMED', async () => {
		const png = new Uint8Array(
			await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c00' } })
				.png()
				.toBuffer()
		);
		for (const bytes of [png, noise(4096), new Uint8Array(0), new TextEncoder().encode('%PDF')]) {
			expect(await inspectPdf(bytes)).toMatchObject({ ok: false, code: 'PDF_MALFORMED' });
		}
	});

	it('refuses random bytes behind a valid header and trailer as PDF_MALFORMED', async () => {
		const bytes = rawPdf(new TextDecoder('latin1').decode(noise(2000)), '<< /Size 1 >>');
		expect(await inspectPdf(bytes)).toMatchObject({ ok: false, code: 'PDF_MALFORMED' });
	});

	it('finds the header anywhere in the first 1024 bytes, and only there', async () => {
		const pdf = await multiPagePdf();
		const withJunk = (n: number) => new Uint8Array([...noise(n).map(() => 0x20), ...pdf]);
		expect(await inspectPdf(withJunk(500))).toMatchObject({ ok: true, pages: 3 });
		expect(await inspectPdf(withJunk(1100))).toMatchObject({ ok: false, code: 'PDF_MALFORMED' });
	});

	it('refuses a PDF without pages as PDF_MALFORMED', async () => {
		expect(await inspectPdf(await noPagePdf())).toMatchObject({
			ok: false,
			code: 'PDF_MALFORMED',
			pages: 0
		});
	});

	it('refuses a page tree that contains itself as PDF_MALFORMED, without hanging', async () => {
		expect(await inspectPdf(pageTreeLoopPdf())).toMatchObject({ ok: false, code: 'PDF_MALFORMED' });
	});

	it('refuses a page of zero size as PDF_MALFORMED', async () => {
		const pdf = rawPdf(
			'1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
				'2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
				'3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] >>\nendobj\n',
			'<< /Root 1 0 R /Size 4 >>'
		);
		expect(await inspectPdf(pdf)).toMatchObject({ ok: false, code: 'PDF_MALFORMED', pages: 1 });
	});

	it('says PDF_ENCRYPTED even when the encryption dictionary cannot be read', async () => {
		const page =
			'1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
			'2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
			'3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n';
		// The trailer names /Encrypt 9 0 R, but there is no object 9: pdf-lib's isEncrypted is false.
		const dangling = rawPdf(page, '<< /Root 1 0 R /Size 4 /Encrypt 9 0 R >>');
		expect(await inspectPdf(dangling)).toMatchObject({
			code: 'PDF_ENCRYPTED',
			encrypted: true,
			pages: 1
		});
		// Encrypted and no readable catalog either: the encryption is still what the user must fix.
		const noCatalog = rawPdf(
			'5 0 obj\n<< /Filter /Standard >>\nendobj\n',
			'<< /Size 6 /Encrypt 5 0 R >>'
		);
		expect(await inspectPdf(noCatalog)).toMatchObject({ code: 'PDF_ENCRYPTED', encrypted: true });
		// A key that merely starts with /Encrypt is not encryption.
		const plain = rawPdf('5 0 obj\n<< /EncryptMetadata false >>\nendobj\n', '<< /Size 6 >>');
		expect(await inspectPdf(plain)).toMatchObject({ code: 'PDF_MALFORMED' });
	});

	it('refuses more pages than the limit with PDF_TOO_MANY_PAGES and the page count', async () => {
		const pdf = await multiPagePdf();
		expect(await inspectPdf(pdf, { maxPages: 2 })).toMatchObject({
			ok: false,
			code: 'PDF_TOO_MANY_PAGES',
			pages: 3,
			encrypted: false
		});
		expect(await inspectPdf(pdf, { maxPages: 3 })).toMatchObject({ ok: true, pages: 3 });
	});

	it('refuses a file over the size limit before parsing it', async () => {
		const pdf = await multiPagePdf();
		expect(await inspectPdf(pdf, { maxBytes: pdf.byteLength - 1 })).toMatchObject({
			ok: false,
			code: 'PDF_TOO_LARGE',
			size: pdf.byteLength
		});
		expect(await inspectPdf(pdf, { maxBytes: pdf.byteLength })).toMatchObject({ ok: true });
		// Noise is not a PDF, yet the answer is TOO_LARGE: size is checked before anything else.
		expect(await inspectPdf(noise(2000), { maxBytes: 1000 })).toMatchObject({
			code: 'PDF_TOO_LARGE'
		});
	});

	it('defaults to 50 MB and 2000 pages', () => {
		expect(DEFAULT_PDF_LIMITS).toEqual({ maxBytes: 50 * 1024 * 1024, maxPages: 2000 });
	});
});
