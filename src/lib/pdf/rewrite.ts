import {
	PDFName,
	PDFNumber,
	PDFObjectStream,
	PDFRawStream,
	PDFRef,
	PDFStream,
	type PDFContext,
	type PDFObject
} from '@cantoo/pdf-lib';
import { zlibSync } from 'fflate';
import { LazyReadError, type PdfReader } from './pdf-reader';

/** Objects per new object stream: few streams, and the page dictionaries compress together. */
const OBJECTS_PER_STREAM = 100;

const ascii = (s: string): Uint8Array => {
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
};

function indirect(ref: PDFRef, object: PDFObject): Uint8Array {
	const head = `${ref.objectNumber} ${ref.generationNumber} obj\n`;
	const tail = '\nendobj\n';
	const out = new Uint8Array(head.length + object.sizeInBytes() + tail.length);
	out.set(ascii(head));
	const at = head.length + object.copyBytesInto(out, head.length);
	out.set(ascii(tail), at);
	return out;
}

/**
 * Writes the document again from the original bytes without parsing what it does not change:
 * every object of the original is copied verbatim except the ones `context` replaces (the
 * marked pages), the old cross-reference sections and a linearisation dictionary, which are cut
 * out; the objects in `context` (replaced pages and new objects) follow, then one new
 * cross-reference section for the whole file. Unlike an incremental update, a rewritten page
 * dictionary does not leave its old copy behind, so the output grows by little more than the
 * new content; unlike a full pdf-lib rewrite, memory stays near twice the file size.
 *
 * Deterministic: the output depends only on the inputs (object order is by number, streams
 * are deflated by pure-JS code that gives the same bytes in every runtime).
 */
export function rewrite(original: Uint8Array, reader: PdfReader, context: PDFContext): Uint8Array {
	const written = context.enumerateIndirectObjects();
	const cuts: { start: number; end: number }[] = [];
	const freed = new Set<number>();
	for (const [ref] of written) {
		const entry = reader.entry(ref.objectNumber);
		if (entry?.kind === 'offset') cuts.push(reader.objectRange(ref.objectNumber));
	}
	for (const section of reader.sections) {
		cuts.push(section);
		if (section.n !== undefined) freed.add(section.n);
	}
	const linearized = reader.linearization();
	if (linearized) {
		cuts.push(linearized);
		freed.add(linearized.n);
	}
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

	const parts: Uint8Array[] = [];
	let length = 0;
	const push = (bytes: Uint8Array) => {
		parts.push(bytes);
		length += bytes.byteLength;
	};
	let from = 0;
	for (const cut of cuts) {
		push(original.subarray(from, cut.start));
		from = cut.end;
	}
	push(original.subarray(from));
	const last = original[original.length - 1];
	if (last !== 0x0a && last !== 0x0d) push(ascii('\n'));

	// Whether the file may hold object streams: then the new section is an xref stream and
	// new dictionaries go into object streams; an older file keeps a classic table.
	const streams = reader.usesXrefStreams || reader.version >= 1.5;
	const placed = new Map<number, { offset: number } | { stream: number; index: number }>();
	const compressible: [PDFRef, PDFObject][] = [];
	for (const [ref, object] of written) {
		if (streams && !(object instanceof PDFStream) && ref.generationNumber === 0) {
			compressible.push([ref, object]);
		} else {
			placed.set(ref.objectNumber, { offset: length });
			push(indirect(ref, object));
		}
	}
	for (let i = 0; i < compressible.length; i += OBJECTS_PER_STREAM) {
		const chunk = compressible.slice(i, i + OBJECTS_PER_STREAM);
		const ref = context.nextRef();
		chunk.forEach(([r], index) => placed.set(r.objectNumber, { stream: ref.objectNumber, index }));
		placed.set(ref.objectNumber, { offset: length });
		push(indirect(ref, PDFObjectStream.withContextAndObjects(context, chunk, true)));
	}

	const xrefRef = streams ? context.nextRef() : undefined;
	const size = Math.max(reader.size, context.largestObjectNumber + 1);
	type Row = [type: number, a: number, b: number];
	const rows: Row[] = [[0, 0, 65535]];
	for (let n = 1; n < size; n++) {
		const mine = placed.get(n);
		if (mine) {
			rows.push('offset' in mine ? [1, mine.offset, 0] : [2, mine.stream, mine.index]);
			continue;
		}
		const entry = reader.entry(n);
		if (n === xrefRef?.objectNumber) rows.push([1, length, 0]);
		else if (!entry || entry.kind === 'free' || freed.has(n)) rows.push([0, 0, 0]);
		else if (entry.kind === 'offset') rows.push([1, moved(entry.offset), entry.gen]);
		else rows.push([2, entry.stream, entry.index]);
	}
	// Generations of replaced pages: the writer used the reader's, the table must say the same.
	for (const [ref] of written) {
		const row = rows[ref.objectNumber]!;
		if (row[0] === 1) row[2] = ref.generationNumber;
	}
	const trailer = context.obj({});
	trailer.set(PDFName.of('Size'), PDFNumber.of(size));
	for (const key of ['Root', 'Info', 'ID']) {
		const value = reader.trailer.get(PDFName.of(key));
		if (value !== undefined) trailer.set(PDFName.of(key), value);
	}
	const xrefOffset = length;
	if (xrefRef) {
		let largest = 0;
		for (const row of rows) largest = Math.max(largest, row[1]);
		const widths = [1, bytesFor(largest), bytesFor(65535)] as const;
		const rowBytes = widths[0] + widths[1] + widths[2];
		const data = new Uint8Array(rows.length * rowBytes);
		rows.forEach((row, i) => {
			let at = i * rowBytes;
			for (let f = 0; f < 3; f++) {
				for (let k = widths[f]! - 1; k >= 0; k--)
					data[at++] = Math.floor(row[f]! / 256 ** k) & 0xff;
			}
		});
		trailer.set(PDFName.of('Type'), PDFName.of('XRef'));
		trailer.set(PDFName.of('W'), context.obj([...widths]));
		trailer.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
		push(indirect(xrefRef, PDFRawStream.of(trailer, zlibSync(data))));
	} else {
		const lines = rows.map(
			([type, a, b]) =>
				`${String(type === 1 ? a : 0).padStart(10, '0')} ${String(b).padStart(5, '0')} ${type === 1 ? 'n' : 'f'}\r\n`
		);
		const dict = new Uint8Array(trailer.sizeInBytes());
		trailer.copyBytesInto(dict, 0);
		push(ascii(`xref\n0 ${rows.length}\n${lines.join('')}trailer\n`));
		push(dict);
		push(ascii('\n'));
	}
	push(ascii(`startxref\n${xrefOffset}\n%%EOF\n`));

	const out = new Uint8Array(length);
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.byteLength;
	}
	return out;
}

function bytesFor(n: number): number {
	let bytes = 1;
	while (n >= 256 ** bytes) bytes++;
	return bytes;
}
