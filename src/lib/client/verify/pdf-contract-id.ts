import { openPdf } from '../pdf-viewer';

/*
 * The contract id a SealPass final PDF names in its certificate of completion: every certificate
 * page ends with "文档编号 Document ID: <id>" (src/lib/pdf/certificate.ts). Read with pdf.js from
 * the last page's text, so a visitor who came through one contract's QR code is told when the
 * PDF in hand is another contract's, even without its archive. Only a hint: the signature check
 * is what proves anything, and the archive's own id wins when both are given.
 */
const FOOTER = /Document ID:\s*(\S+)/;

/** The id on the last page's certificate footer, or null for any PDF without one. */
export async function certificateContractId(pdf: Uint8Array): Promise<string | null> {
	try {
		// A copy: pdf.js transfers the buffer it is given to its worker.
		const doc = await openPdf(pdf.slice());
		try {
			const page = await doc.getPage(doc.numPages);
			const text = await page.getTextContent();
			const line = text.items.map((item) => ('str' in item ? item.str : '')).join(' ');
			return FOOTER.exec(line)?.[1] ?? null;
		} finally {
			void doc.destroy();
		}
	} catch {
		return null;
	}
}
