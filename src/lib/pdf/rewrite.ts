import { PDFStream, type PDFContext, type PDFObject } from '@cantoo/pdf-lib';
import { zlibSync } from 'fflate';
import { LazyReadError, type PdfReader } from './pdf-reader';
import { dictBytes } from './incremental';
import { Dict, Name, Num, Writer, serialize } from './pdf-syntax';

/** Objects per new object stream: few streams, and the page dictionaries compress together. */
const OBJECTS_PER_STREAM = 100;

/** An object to write: its number, generation and its bytes (without `n g obj` … `endobj`). */
interface Item {
	n: number;
	g: number;
	/** Streams cannot go into an object stream. */
	stream: boolean;
	bytes: () => Uint8Array;
}

export function pdfLibBytes(object: PDFObject): Uint8Array {
	const out = new Uint8Array(object.sizeInBytes());
	object.copyBytesInto(out, 0);
	return out;
}

/**
 * Writes the document again from the original bytes without parsing what it does not change:
 * every object of the original is copied verbatim except the replaced page dictionaries, the
 * old cross-reference sections and a linearisation dictionary, which are cut out; the new
 * objects (`context`: images, fonts, content streams) and the replaced pages follow, then one
 * cross-reference section for the whole file. Unlike an incremental update, a rewritten page
 * does not leave its old copy behind, so the output grows by little more than the new content;
 * unlike a full pdf-lib rewrite, memory stays near twice the file size.
 *
 * Deterministic: the output depends only on the inputs (objects in number order, streams
 * deflated by pure-JS code that gives the same bytes in every runtime).
 */
export function rewrite(
	original: Uint8Array,
	reader: PdfReader,
	context: PDFContext,
	pages: ReadonlyMap<number, { g: number; dict: Dict }>
): Uint8Array {
	const items: Item[] = [];
	for (const [ref, object] of context.enumerateIndirectObjects()) {
		items.push({
			n: ref.objectNumber,
			g: ref.generationNumber,
			stream: object instanceof PDFStream,
			bytes: () => pdfLibBytes(object)
		});
	}
	for (const [n, { g, dict }] of pages) {
		items.push({ n, g, stream: false, bytes: () => dictBytes(dict) });
	}
	items.sort((a, b) => a.n - b.n);

	const cuts: { start: number; end: number }[] = [];
	for (const n of pages.keys()) {
		if (reader.entry(n)?.kind === 'offset') cuts.push(reader.objectRange(n));
	}
	for (const section of reader.sections) cuts.push(section);
	const linearized = reader.linearization();
	if (linearized) cuts.push(linearized);
	// A current object that starts where a cut starts is an old xref stream or the
	// linearisation dictionary: gone, so free. (Judged by offset, not number: a later update
	// may have given an old xref stream's number to a new object.)
	const cutStarts = new Set(cuts.map((c) => c.start));
	cuts.sort((a, b) => a.start - b.start);
	for (let i = 1; i < cuts.length; i++) {
		if (cuts[i]!.start < cuts[i - 1]!.end) throw new LazyReadError('Overlapping objects');
	}
	// removedBefore[i]: bytes cut before cuts[i] starts.
	const removedBefore: number[] = [];
	let removed = 0;
	for (const cut of cuts) {
		removedBefore.push(removed);
		removed += cut.end - cut.start;
	}
	const moved = (offset: number): number => {
		let lo = 0;
		let hi = cuts.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (cuts[mid]!.start <= offset) lo = mid + 1;
			else hi = mid;
		}
		if (lo === 0) return offset;
		const cut = cuts[lo - 1]!;
		if (offset < cut.end) throw new LazyReadError(`Object at ${offset} lies in a cut range`);
		return offset - removedBefore[lo - 1]! - (cut.end - cut.start);
	};

	const out = new Writer();
	let from = 0;
	for (const cut of cuts) {
		out.bytes(original.subarray(from, cut.start));
		from = cut.end;
	}
	out.bytes(original.subarray(from));
	const last = original[original.length - 1];
	if (last !== 0x0a && last !== 0x0d) out.text('\n');

	// A file that may hold object streams gets an xref stream, with the new dictionaries in
	// object streams; an older one keeps a classic table that every reader of its version knows.
	const streams = reader.usesXrefStreams || reader.version >= 1.5;
	const placed = new Map<number, { offset: number } | { stream: number; index: number }>();
	const top = (n: number, g: number, bytes: Uint8Array) => {
		placed.set(n, { offset: out.length });
		out.text(`${n} ${g} obj\n`);
		out.bytes(bytes);
		out.text('\nendobj\n');
	};
	const packed: Item[] = [];
	for (const item of items) {
		if (streams && !item.stream && item.g === 0) packed.push(item);
		else top(item.n, item.g, item.bytes());
	}
	let next = Math.max(reader.size, context.largestObjectNumber + 1, (items.at(-1)?.n ?? 0) + 1);
	for (let i = 0; i < packed.length; i += OBJECTS_PER_STREAM) {
		const chunk = packed.slice(i, i + OBJECTS_PER_STREAM);
		const n = next++;
		const body = new Writer();
		const offsets: string[] = [];
		chunk.forEach((item, index) => {
			placed.set(item.n, { stream: n, index });
			offsets.push(`${item.n} ${body.length}`);
			body.bytes(item.bytes());
			body.text('\n');
		});
		const header = offsets.join(' ') + '\n';
		const data = new Writer();
		data.text(header);
		data.bytes(body.result());
		// Level 1: the page dictionaries still shrink several-fold, at a fraction of the time.
		const deflated = zlibSync(data.result(), { level: 1 });
		const dict = new Dict([
			['Type', new Name('ObjStm')],
			['N', Num.of(chunk.length)],
			['First', Num.of(header.length)],
			['Filter', new Name('FlateDecode')],
			['Length', Num.of(deflated.byteLength)]
		]);
		const w = new Writer();
		serialize(dict, w);
		w.text('\nstream\n');
		w.bytes(deflated);
		w.text('\nendstream');
		top(n, 0, w.result());
	}

	const xrefNumber = streams ? next++ : undefined;
	const size = next;
	type Row = [type: number, a: number, b: number];
	const rows: Row[] = [[0, 0, 65535]];
	const xrefOffset = out.length;
	const gens = new Map(items.map((i) => [i.n, i.g]));
	for (let n = 1; n < size; n++) {
		const mine = placed.get(n);
		const entry = reader.entry(n);
		if (mine) {
			const g = gens.get(n) ?? 0;
			rows.push('offset' in mine ? [1, mine.offset, g] : [2, mine.stream, mine.index]);
		} else if (n === xrefNumber) rows.push([1, xrefOffset, 0]);
		else if (!entry || entry.kind === 'free') rows.push([0, 0, 0]);
		else if (entry.kind === 'offset' && cutStarts.has(entry.offset)) rows.push([0, 0, 0]);
		else if (entry.kind === 'offset') rows.push([1, moved(entry.offset), entry.gen]);
		else rows.push([2, entry.stream, entry.index]);
	}
	const trailer = new Dict([['Size', Num.of(size)]]);
	for (const key of ['Root', 'Info', 'ID']) {
		const value = reader.trailer.get(key);
		if (value !== undefined) trailer.set(key, value);
	}
	if (xrefNumber !== undefined) {
		let largest = 0;
		for (const row of rows) largest = Math.max(largest, row[1]);
		const widths = [1, bytesFor(largest), 2] as const;
		const rowBytes = widths[0] + widths[1] + widths[2];
		const data = new Uint8Array(rows.length * rowBytes);
		rows.forEach((row, i) => {
			let at = i * rowBytes;
			for (let f = 0; f < 3; f++) {
				for (let k = widths[f]! - 1; k >= 0; k--) {
					data[at++] = Math.floor(row[f]! / 256 ** k) & 0xff;
				}
			}
		});
		const deflated = zlibSync(data);
		trailer.set('Type', new Name('XRef'));
		trailer.set(
			'W',
			widths.map((w) => Num.of(w))
		);
		trailer.set('Filter', new Name('FlateDecode'));
		trailer.set('Length', Num.of(deflated.byteLength));
		out.text(`${xrefNumber} 0 obj\n`);
		serialize(trailer, out);
		out.text('\nstream\n');
		out.bytes(deflated);
		out.text('\nendstream\nendobj\n');
	} else {
		out.text(`xref\n0 ${rows.length}\n`);
		for (const [type, a, b] of rows) {
			const offset = String(type === 1 ? a : 0).padStart(10, '0');
			out.text(`${offset} ${String(b).padStart(5, '0')} ${type === 1 ? 'n' : 'f'}\r\n`);
		}
		out.text('trailer\n');
		serialize(trailer, out);
		out.text('\n');
	}
	out.text(`startxref\n${xrefOffset}\n%%EOF\n`);
	return out.result();
}

function bytesFor(n: number): number {
	let bytes = 1;
	while (n >= 256 ** bytes) bytes++;
	return bytes;
}
