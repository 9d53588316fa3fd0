import { describe, expect, it } from 'vitest';
import { checkPdfSignature } from './pdf-signature';
import { noise, rawPdf, truncated } from '../../../tests/support/test-pdfs';

// The checker runs on whatever a reader uploads: a broken file gets a coded report, never an
// exception. Real signatures, judged beside pdfsig, are in src/lib/server/signing/pades.test.ts.

/** A signature dictionary whose /Contents hole holds `hex`, with a byte range that fits it. */
function signatureDictPdf(hex: string, rangeEnd?: (fileLength: number) => number): Uint8Array {
	const head = '%PDF-1.7\n1 0 obj\n<< /Type /Sig /SubFilter /ETSI.CAdES.detached /ByteRange ';
	const placeholder = '[0000000000 0000000000 0000000000 0000000000]';
	const hole = `<${hex}>`;
	const tail = ' >>\nendobj\ntrailer\n<< >>\n%%EOF\n';
	const at = head.length + placeholder.length + ' /Contents '.length;
	const length = at + hole.length + tail.length;
	const c = at + hole.length;
	const d = (rangeEnd ? rangeEnd(length) : length) - c;
	const range = `[0 ${at} ${c} ${d}]`.padEnd(placeholder.length, ' ');
	return new TextEncoder().encode(`${head}${range} /Contents ${hole}${tail}`);
}

describe('checkPdfSignature on broken input', () => {
	it('PS2: random bytes and a PDF without a signature are NO_SIGNATURE', async () => {
		for (const bytes of [noise(4096), rawPdf('', '<< >>'), new Uint8Array(0)]) {
			expect(await checkPdfSignature(bytes)).toMatchObject({
				present: false,
				valid: false,
				signer: null,
				problems: ['NO_SIGNATURE']
			});
		}
	});

	it('PS2: a /Contents that is not a CMS is CMS_INVALID, with the subFilter still read', async () => {
		const report = await checkPdfSignature(signatureDictPdf('30031234'.padEnd(64, '0')));
		expect(report).toMatchObject({
			present: true,
			valid: false,
			coversWholeFile: true,
			subFilter: 'ETSI.CAdES.detached',
			problems: ['CMS_INVALID']
		});
	});

	it('PS2: a byte range reaching past the end of the file (a cut-off download) is BYTE_RANGE_INVALID', async () => {
		const pdf = signatureDictPdf('00'.repeat(32));
		const report = await checkPdfSignature(truncated(pdf, 0.97));
		expect(report).toMatchObject({ present: true, valid: false, problems: ['BYTE_RANGE_INVALID'] });
	});

	it('PS2: a byte range that stops short of the end is NOT_WHOLE_FILE besides its other problems', async () => {
		const report = await checkPdfSignature(signatureDictPdf('00'.repeat(32), (n) => n - 10));
		expect(report.coversWholeFile).toBe(false);
		expect(report.problems).toContain('NOT_WHOLE_FILE');
	});
});
