import { zlibSync } from 'fflate';
import { LazyReadError, type PdfReader } from './pdf-reader';
import { Dict, Name, Num, Writer, serialize, type PdfValue } from './pdf-syntax';

/*
 * Appends an incremental update to a file read by the lazy reader: the new and changed objects,
 * then one cross-reference section whose /Prev is the file's newest. Nothing of the original is
 * parsed beyond what the caller read, so appending pages or a signature to a 200-page contract
 * costs what the update holds, not what the contract holds.
 */

/** An object of the update: its number, generation and bytes (without `n g obj` … `endobj`). */
export interface UpdateObject {
	n: number;
	g: number;
	bytes: Uint8Array;
}

/** Where the update put things, for a caller that patches bytes afterwards (a signature). */
export interface AppendedUpdate {
	bytes: Uint8Array<ArrayBuffer>;
	/** Offset in `bytes` of each object's first byte of content (after `n g obj\n`). */
	contentAt: ReadonlyMap<number, number>;
}

/** Whether the last cross-reference section (the one `startxref` names) is a classic table. */
export function endsWithClassicXref(pdf: Uint8Array): boolean {
	const tail = new TextDecoder('latin1').decode(pdf.subarray(Math.max(0, pdf.length - 1024)));
	const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
	if (!match) return false;
	const at = Number(match[1]);
	const head = new TextDecoder('latin1').decode(pdf.subarray(at, at + 4));
	return head === 'xref';
}

/**
 * `original` followed by an update holding `objects`. The cross-reference section is of the
 * kind the file already ends with: an xref stream added to a file with classic tables would shut
 * out the readers it was made for. The trailer keeps /Root, /Info and /ID unless `trailer`
 * gives them. Deterministic: the bytes depend only on the inputs.
 */
export function appendUpdate(
	original: Uint8Array,
	reader: PdfReader,
	objects: readonly UpdateObject[],
	trailer: { ID?: PdfValue } = {}
): AppendedUpdate {
	if (reader.trailer.has('Encrypt')) {
		// Our objects would be written in clear into an encrypted file.
		throw new LazyReadError('The PDF is encrypted');
	}
	const out = new Writer();
	out.bytes(original);
	const last = original[original.length - 1];
	if (last !== 0x0a && last !== 0x0d) out.text('\n');

	const sorted = [...objects].sort((a, b) => a.n - b.n);
	const offsets = new Map<number, { offset: number; g: number }>();
	const contentAt = new Map<number, number>();
	for (const object of sorted) {
		if (offsets.has(object.n)) throw new LazyReadError(`Object ${object.n} written twice`);
		offsets.set(object.n, { offset: out.length, g: object.g });
		out.text(`${object.n} ${object.g} obj\n`);
		contentAt.set(object.n, out.length);
		out.bytes(object.bytes);
		out.text('\nendobj\n');
	}

	const classic = endsWithClassicXref(original);
	let size = Math.max(reader.size, (sorted.at(-1)?.n ?? 0) + 1);
	const xrefNumber = classic ? undefined : size++;
	const xrefOffset = out.length;
	if (xrefNumber !== undefined) offsets.set(xrefNumber, { offset: xrefOffset, g: 0 });

	const dict = new Dict([['Size', Num.of(size)]]);
	dict.set('Prev', Num.of(reader.startXref));
	for (const key of ['Root', 'Info', 'ID'] as const) {
		const value = key === 'ID' && trailer.ID !== undefined ? trailer.ID : reader.trailer.get(key);
		if (value !== undefined) dict.set(key, value);
	}
	const numbers = [...offsets.keys()].sort((a, b) => a - b);
	// Runs of consecutive object numbers: one subsection each.
	const runs: [first: number, count: number][] = [];
	for (const n of numbers) {
		const run = runs.at(-1);
		if (run && run[0] + run[1] === n) run[1]++;
		else runs.push([n, 1]);
	}
	if (xrefNumber === undefined) {
		out.text('xref\n');
		for (const [first, count] of runs) {
			out.text(`${first} ${count}\n`);
			for (let n = first; n < first + count; n++) {
				const { offset, g } = offsets.get(n)!;
				out.text(`${String(offset).padStart(10, '0')} ${String(g).padStart(5, '0')} n\r\n`);
			}
		}
		out.text('trailer\n');
		serialize(dict, out);
		out.text('\n');
	} else {
		const width = bytesFor(xrefOffset);
		const rowBytes = 1 + width + 2;
		const data = new Uint8Array(numbers.length * rowBytes);
		numbers.forEach((n, i) => {
			const { offset, g } = offsets.get(n)!;
			let at = i * rowBytes;
			data[at++] = 1;
			for (let k = width - 1; k >= 0; k--) data[at++] = Math.floor(offset / 256 ** k) & 0xff;
			data[at++] = (g >> 8) & 0xff;
			data[at] = g & 0xff;
		});
		const deflated = zlibSync(data);
		dict.set('Type', new Name('XRef'));
		dict.set(
			'Index',
			runs.flat().map((v) => Num.of(v))
		);
		dict.set('W', [Num.of(1), Num.of(width), Num.of(2)]);
		dict.set('Filter', new Name('FlateDecode'));
		dict.set('Length', Num.of(deflated.byteLength));
		out.text(`${xrefNumber} 0 obj\n`);
		serialize(dict, out);
		out.text('\nstream\n');
		out.bytes(deflated);
		out.text('\nendstream\nendobj\n');
	}
	out.text(`startxref\n${xrefOffset}\n%%EOF\n`);
	return { bytes: out.result() as Uint8Array<ArrayBuffer>, contentAt };
}

/** The bytes of a dictionary we write. */
export function dictBytes(dict: Dict): Uint8Array {
	const w = new Writer();
	serialize(dict, w);
	return w.result();
}

function bytesFor(n: number): number {
	let bytes = 1;
	while (n >= 256 ** bytes) bytes++;
	return bytes;
}
