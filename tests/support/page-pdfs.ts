import { zlibSync } from 'fflate';

/**
 * PDFs with the page geometry real scans and office files have — /Rotate, CropBoxes that move
 * the origin, mixed page sizes, inherited attributes — and with content streams that do not
 * balance their graphics states. Written by hand with a computed cross-reference table, so each
 * case says exactly what is in the file. Test support only.
 */

export interface RawPage {
	/** MediaBox [x1 y1 x2 y2]. */
	media: [number, number, number, number];
	crop?: [number, number, number, number];
	rotate?: number;
	/** The page's content stream text (uncompressed). */
	content?: string;
	/** How the content is stored: as is (default), deflated, or as ASCII hex. */
	filter?: 'FlateDecode' | 'ASCIIHexDecode';
}

/**
 * A classic-table PDF 1.4 file with one page per entry. `inheritRotate` puts a /Rotate on the
 * page tree node instead (a page's own /Rotate still wins), as some scanners write it.
 */
export function pagesPdf(pages: RawPage[], options: { inheritRotate?: number } = {}): Uint8Array {
	const objects: string[] = [];
	const add = (text: string) => objects.push(text);
	add('<< /Type /Catalog /Pages 2 0 R >>');
	add(''); // the page tree, written once the kids are known
	const kids: number[] = [];
	for (const page of pages) {
		const text = page.content ?? '';
		const content =
			page.filter === 'FlateDecode'
				? String.fromCharCode(...zlibSync(Uint8Array.from(text, (c) => c.charCodeAt(0))))
				: page.filter === 'ASCIIHexDecode'
					? `${Buffer.from(text, 'latin1').toString('hex')}>`
					: text;
		const filter = page.filter ? ` /Filter /${page.filter}` : '';
		add(`<< /Length ${content.length}${filter} >>\nstream\n${content}\nendstream`);
		const contentNo = objects.length;
		const box = (name: string, b?: number[]) => (b ? ` /${name} [${b.join(' ')}]` : '');
		const rotate = page.rotate === undefined ? '' : ` /Rotate ${page.rotate}`;
		add(
			`<< /Type /Page /Parent 2 0 R${box('MediaBox', page.media)}${box('CropBox', page.crop)}${rotate}` +
				` /Resources << >> /Contents ${contentNo} 0 R >>`
		);
		kids.push(objects.length);
	}
	const inherited = options.inheritRotate === undefined ? '' : ` /Rotate ${options.inheritRotate}`;
	objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length}${inherited} >>`;
	return writeObjects(objects);
}

/** Numbers `objects` from 1, writes a classic table and a trailer whose /Root is object 1. */
export function writeObjects(objects: string[], version = '1.4'): Uint8Array {
	let body = `%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`;
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
 * The same file with its startxref pointing nowhere: render()'s lazy reader gives up on it and
 * the full parser (pdf-lib, which rebuilds the table) draws instead — both paths get tested.
 */
export function brokenXref(pdf: Uint8Array): Uint8Array {
	const text = new TextDecoder('latin1').decode(pdf);
	const at = text.lastIndexOf('startxref');
	return new Uint8Array([
		...pdf.subarray(0, at),
		...new TextEncoder().encode('startxref\n12\n%%EOF\n')
	]);
}
