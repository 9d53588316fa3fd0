import {
	PDFArray,
	PDFDict,
	PDFName,
	PDFNumber,
	PDFObjectParser,
	PDFRawStream,
	PDFRef,
	type PDFContext,
	type PDFObject
} from '@cantoo/pdf-lib';
import { unzlibSync } from 'fflate';

/*
 * A lazy reader of a PDF's structure: the cross-reference sections, the trailer, the page tree
 * and the few objects render() needs, parsed on demand from the original bytes. Loading the
 * whole document (as pdf-lib does) costs several times the file size in memory on a long
 * contract; an incremental update only needs the page dictionaries. Anything this reader does
 * not understand throws a LazyReadError, and the caller falls back to the full parser.
 */

/** The structure of the file is outside what the lazy reader handles (not necessarily broken). */
export class LazyReadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LazyReadError';
	}
}

export type Entry =
	| { kind: 'free' }
	| { kind: 'offset'; offset: number; gen: number }
	| { kind: 'compressed'; stream: number; index: number };

/** A page leaf with the attributes it inherits from its ancestors (nearest ancestor wins). */
export interface LazyPage {
	ref: PDFRef;
	dict: PDFDict;
	inherited: ReadonlyMap<string, PDFObject>;
}

const INHERITABLE = ['Resources', 'MediaBox', 'CropBox', 'Rotate'] as const;
/** Deep enough for any real page tree (pdf-lib balances at ~10 levels for 100k pages). */
const MAX_TREE_DEPTH = 256;
const MAX_XREF_SECTIONS = 4096;

const latin1 = (bytes: Uint8Array, from: number, to: number): string => {
	let s = '';
	for (let i = from; i < Math.min(to, bytes.length); i++) s += String.fromCharCode(bytes[i]!);
	return s;
};
const isSpace = (b: number | undefined) =>
	b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;

export class PdfReader {
	/** The newest trailer (for an xref stream: its dictionary). */
	readonly trailer: PDFDict;
	/** Offset of the newest cross-reference section: the /Prev of an update. */
	readonly startXref: number;
	/** Whether any section is a cross-reference stream (so the file is PDF 1.5 or later). */
	readonly usesXrefStreams: boolean;
	/** One more than the largest object number in use: the first free number for new objects. */
	readonly size: number;
	/** The header's version, e.g. 1.7. */
	readonly version: number;

	/**
	 * Byte ranges of the cross-reference sections read (a table with its trailer, startxref and
	 * %%EOF; or an xref stream object), with the object number of a stream: a rewrite drops them.
	 */
	readonly sections: { start: number; end: number; n?: number }[] = [];
	private readonly entries = new Map<number, Entry>();
	/** Where the uncompressed objects read so far end (before `endobj`): the page cuts need it. */
	private readonly ends = new Map<number, number>();
	private readonly objStreams = new Map<
		number,
		{ data: Uint8Array; offsets: Map<number, number> }
	>();

	constructor(
		private readonly bytes: Uint8Array,
		private readonly context: PDFContext
	) {
		const header = /^%PDF-(\d+\.\d+)/.exec(latin1(bytes, 0, 16));
		if (!header) throw new LazyReadError('No %PDF header at the start');
		this.version = Number(header[1]);
		const tail = latin1(bytes, Math.max(0, bytes.length - 1024), bytes.length);
		const at = tail.lastIndexOf('startxref');
		const m = at < 0 ? null : /^startxref\s+(\d+)/.exec(tail.slice(at));
		if (!m) throw new LazyReadError('No startxref');
		this.startXref = Number(m[1]);

		let trailer: PDFDict | undefined;
		let streams = false;
		const seen = new Set<number>();
		let offset: number | undefined = this.startXref;
		while (offset !== undefined) {
			if (seen.has(offset) || seen.size >= MAX_XREF_SECTIONS) {
				throw new LazyReadError('Cross-reference sections loop');
			}
			seen.add(offset);
			let dict: PDFDict;
			if (latin1(bytes, offset, offset + 4) === 'xref') {
				const table = this.readTable(offset + 4);
				dict = table.dict;
				if (table.end !== undefined) this.sections.push({ start: offset, end: table.end });
				const stm = dict.get(PDFName.of('XRefStm'));
				if (stm instanceof PDFNumber) {
					// Hybrid file: the table's entries win, then its stream's, then older sections.
					this.readXrefStream(stm.asNumber());
					streams = true;
				}
			} else {
				dict = this.readXrefStream(offset);
				const { n, end } = this.extent(offset);
				const tail = /^\s*startxref\s+\d+\s*%%EOF(\r\n|\r|\n)?/.exec(latin1(bytes, end, end + 64));
				this.sections.push({ start: offset, end: end + (tail ? tail[0].length : 0), n });
				streams = true;
			}
			trailer ??= dict;
			const prev = dict.get(PDFName.of('Prev'));
			offset = prev instanceof PDFNumber ? prev.asNumber() : undefined;
		}
		this.trailer = trailer!;
		this.usesXrefStreams = streams;
		const declared = trailer!.get(PDFName.of('Size'));
		let size = declared instanceof PDFNumber ? declared.asNumber() : 0;
		for (const n of this.entries.keys()) size = Math.max(size, n + 1);
		this.size = size;
	}

	/** Reads a classic table's subsections (after the `xref` keyword) and its trailer. */
	private readTable(pos: number): { dict: PDFDict; end?: number } {
		const { bytes } = this;
		const token = (): string => {
			while (isSpace(bytes[pos])) pos++;
			const start = pos;
			while (pos < bytes.length && !isSpace(bytes[pos])) pos++;
			return latin1(bytes, start, pos);
		};
		for (;;) {
			const save = pos;
			const first = token();
			if (first.startsWith('trailer')) {
				pos = save;
				while (isSpace(bytes[pos])) pos++;
				pos += 'trailer'.length;
				break;
			}
			const start = Number(first);
			const count = Number(token());
			if (!Number.isInteger(start) || !Number.isInteger(count) || count < 0) {
				throw new LazyReadError('Bad cross-reference subsection');
			}
			for (let i = 0; i < count; i++) {
				const offset = Number(token());
				const gen = Number(token());
				const type = token();
				if (type !== 'n' && type !== 'f') throw new LazyReadError('Bad cross-reference entry');
				this.define(start + i, type === 'n' ? { kind: 'offset', offset, gen } : { kind: 'free' });
			}
		}
		const parser = PDFObjectParser.forBytes(bytes.subarray(pos), this.context);
		const dict = parser.parseObject();
		if (!(dict instanceof PDFDict)) throw new LazyReadError('No trailer dictionary');
		const after = pos + parsedLength(parser);
		const tail = /^\s*startxref\s+\d+\s*%%EOF(\r\n|\r|\n)?/.exec(latin1(bytes, after, after + 64));
		return { dict, end: tail ? after + tail[0].length : undefined };
	}

	/** Reads a cross-reference stream at `offset` into the entries; returns its dictionary. */
	private readXrefStream(offset: number): PDFDict {
		const stream = this.parseAt(offset).object;
		if (
			!(stream instanceof PDFRawStream) ||
			stream.dict.get(PDFName.of('Type')) !== PDFName.of('XRef')
		) {
			throw new LazyReadError('No cross-reference stream where startxref points');
		}
		const { dict } = stream;
		const w = numbers(dict.get(PDFName.of('W')));
		const size = dict.get(PDFName.of('Size'));
		if (w.length !== 3 || !(size instanceof PDFNumber)) throw new LazyReadError('Bad /W or /Size');
		const index = dict.has(PDFName.of('Index'))
			? numbers(dict.get(PDFName.of('Index')))
			: [0, size.asNumber()];
		const data = this.decode(stream);
		const width = w[0]! + w[1]! + w[2]!;
		let pos = 0;
		const field = (n: number, fallback: number) => {
			if (n === 0) return fallback;
			let v = 0;
			for (let i = 0; i < n; i++) v = v * 256 + data[pos++]!;
			return v;
		};
		for (let s = 0; s + 1 < index.length; s += 2) {
			const first = index[s]!;
			for (let i = 0; i < index[s + 1]!; i++) {
				if (pos + width > data.length) throw new LazyReadError('Short cross-reference stream');
				const type = field(w[0]!, 1);
				const a = field(w[1]!, 0);
				const b = field(w[2]!, 0);
				if (type === 1) this.define(first + i, { kind: 'offset', offset: a, gen: b });
				else if (type === 2) this.define(first + i, { kind: 'compressed', stream: a, index: b });
				else if (type === 0) this.define(first + i, { kind: 'free' });
			}
		}
		return dict;
	}

	/** Newer sections are read first, so the first definition of a number is the current one. */
	private define(n: number, entry: Entry): void {
		if (!this.entries.has(n)) this.entries.set(n, entry);
	}

	/**
	 * The byte range of the indirect object at `offset`: through its `endobj` and one end of
	 * line, so cutting it out leaves the bytes around it as they were.
	 */
	extent(offset: number): { n: number; end: number } {
		const { n, end } = this.parseAt(offset);
		return { n, end: this.afterEndobj(n, offset, end) };
	}

	/** The byte range of uncompressed object `n` (read before, or read now). */
	objectRange(n: number): { start: number; end: number } {
		const entry = this.entries.get(n);
		if (entry?.kind !== 'offset') throw new LazyReadError(`Object ${n} is not uncompressed`);
		const end = this.ends.get(n) ?? this.parseAt(entry.offset).end;
		return { start: entry.offset, end: this.afterEndobj(n, entry.offset, end) };
	}

	/**
	 * A linearised file's first object, the linearisation dictionary: its hints no longer fit
	 * once objects move, so a rewrite drops it (the file is then simply not linearised).
	 */
	linearization(): { n: number; start: number; end: number } | undefined {
		const head = latin1(this.bytes, 0, 1024);
		if (!head.includes('/Linearized')) return undefined;
		const m = /\d+\s+\d+\s+obj/.exec(head);
		if (!m) return undefined;
		const { n, object, end } = this.parseAt(m.index);
		if (!(object instanceof PDFDict) || !object.has(PDFName.of('Linearized'))) return undefined;
		return { n, start: m.index, end: this.afterEndobj(n, m.index, end) };
	}

	private afterEndobj(n: number, offset: number, end: number): number {
		const tail = /^\s*endobj(\r\n|\r|\n)?/.exec(latin1(this.bytes, end, end + 32));
		if (!tail) throw new LazyReadError(`Object ${n} at ${offset} has no endobj`);
		return end + tail[0].length;
	}

	/**
	 * The array `ref` names, if it names one: a page's Contents is usually a single stream, and
	 * telling the two apart must not read (and copy) the stream itself.
	 */
	arrayAt(ref: PDFRef): PDFArray | undefined {
		const entry = this.entries.get(ref.objectNumber);
		if (entry?.kind === 'offset') {
			const head = /^\s*\d+\s+\d+\s+obj\s*/.exec(
				latin1(this.bytes, entry.offset, entry.offset + 64)
			);
			if (head && this.bytes[entry.offset + head[0].length] !== 0x5b) return undefined;
		}
		const value = this.resolve(ref);
		return value instanceof PDFArray ? value : undefined;
	}

	/** The current entry for object `n`. */
	entry(n: number): Entry | undefined {
		return this.entries.get(n);
	}

	/** Parses the indirect object whose `n g obj` header starts at `offset`. */
	private parseAt(offset: number): { n: number; gen: number; object: PDFObject; end: number } {
		const head = /^\s*(\d+)\s+(\d+)\s+obj/.exec(latin1(this.bytes, offset, offset + 48));
		if (!head) throw new LazyReadError(`No object header at offset ${offset}`);
		const parser = PDFObjectParser.forBytes(
			this.bytes.subarray(offset + head[0].length),
			this.context
		);
		const object = parser.parseObject();
		const end = offset + head[0].length + parsedLength(parser);
		return { n: Number(head[1]), gen: Number(head[2]), object, end };
	}

	/** The decoded data of a stream: FlateDecode (with PNG predictors) or no filter at all. */
	private decode(stream: PDFRawStream): Uint8Array {
		const filter = this.resolve(stream.dict.get(PDFName.of('Filter')));
		const parms = this.resolve(stream.dict.get(PDFName.of('DecodeParms')));
		if (filter === undefined) return stream.contents;
		const flate = PDFName.of('FlateDecode');
		const only =
			filter instanceof PDFArray && filter.size() === 1 ? this.resolve(filter.get(0)) : filter;
		if (only !== flate) throw new LazyReadError('Unsupported stream filter');
		let data: Uint8Array;
		try {
			data = unzlibSync(stream.contents);
		} catch {
			throw new LazyReadError('Undecodable stream');
		}
		const p = parms instanceof PDFArray ? this.resolve(parms.get(0)) : parms;
		if (!(p instanceof PDFDict)) return data;
		const int = (key: string, fallback: number) => {
			const v = this.resolve(p.get(PDFName.of(key)));
			return v instanceof PDFNumber ? v.asNumber() : fallback;
		};
		const predictor = int('Predictor', 1);
		if (predictor === 1) return data;
		if (predictor < 10) throw new LazyReadError('Unsupported TIFF predictor');
		const bpp = Math.max(1, Math.ceil((int('Colors', 1) * int('BitsPerComponent', 8)) / 8));
		const row = Math.ceil((int('Columns', 1) * int('Colors', 1) * int('BitsPerComponent', 8)) / 8);
		return unpredictPng(data, row, bpp);
	}

	/** Follows references to the object they name; undefined for missing or free objects. */
	resolve(obj: PDFObject | undefined): PDFObject | undefined {
		for (let i = 0; i < 32 && obj instanceof PDFRef; i++) obj = this.object(obj);
		return obj instanceof PDFRef ? undefined : obj;
	}

	/** The resolved value as a dictionary, or undefined. */
	dict(obj: PDFObject | undefined): PDFDict | undefined {
		const v = this.resolve(obj);
		return v instanceof PDFDict ? v : undefined;
	}

	/** The current generation of object `n` (0 if unknown): page objects keep theirs. */
	generation(n: number): number {
		const e = this.entries.get(n);
		return e?.kind === 'offset' ? e.gen : 0;
	}

	/** The object a reference names (not cached: render reads each page dictionary once). */
	object(ref: PDFRef): PDFObject | undefined {
		const entry = this.entries.get(ref.objectNumber);
		if (!entry || entry.kind === 'free') return undefined;
		if (entry.kind === 'offset') {
			const { n, object, end } = this.parseAt(entry.offset);
			if (n !== ref.objectNumber) throw new LazyReadError(`Object ${n} where ${ref} should be`);
			this.ends.set(n, end);
			return object;
		}
		const stream = this.objectStream(entry.stream);
		const at = stream.offsets.get(ref.objectNumber);
		if (at === undefined) throw new LazyReadError(`Object ${ref} missing from its object stream`);
		return PDFObjectParser.forBytes(stream.data.subarray(at), this.context).parseObject();
	}

	private objectStream(n: number) {
		const cached = this.objStreams.get(n);
		if (cached) return cached;
		const entry = this.entries.get(n);
		if (entry?.kind !== 'offset') throw new LazyReadError(`Object stream ${n} not found`);
		const stream = this.parseAt(entry.offset).object;
		if (!(stream instanceof PDFRawStream)) throw new LazyReadError(`Object ${n} is no stream`);
		const count = this.resolve(stream.dict.get(PDFName.of('N')));
		const first = this.resolve(stream.dict.get(PDFName.of('First')));
		if (!(count instanceof PDFNumber) || !(first instanceof PDFNumber)) {
			throw new LazyReadError(`Object stream ${n} lacks /N or /First`);
		}
		const data = this.decode(stream);
		const header = latin1(data, 0, first.asNumber()).trim().split(/\s+/).map(Number);
		const offsets = new Map<number, number>();
		for (let i = 0; i < count.asNumber(); i++) {
			const num = header[2 * i];
			const off = header[2 * i + 1];
			if (num === undefined || off === undefined || !Number.isInteger(num + off)) {
				throw new LazyReadError(`Bad header in object stream ${n}`);
			}
			offsets.set(num, first.asNumber() + off);
		}
		const parsed = { data, offsets };
		this.objStreams.set(n, parsed);
		return parsed;
	}

	/** The page leaves in document order, each with its inherited attributes. */
	pages(): LazyPage[] {
		const root = this.dict(this.trailer.get(PDFName.of('Root')));
		const top = root?.get(PDFName.of('Pages'));
		if (!(top instanceof PDFRef)) throw new LazyReadError('No page tree');
		const out: LazyPage[] = [];
		const visiting = new Set<number>();
		const walk = (ref: PDFRef, inherited: Map<string, PDFObject>, depth: number) => {
			if (depth > MAX_TREE_DEPTH || visiting.has(ref.objectNumber)) {
				throw new LazyReadError('Page tree loops or is too deep');
			}
			const node = this.dict(ref);
			if (!node) throw new LazyReadError(`Page tree node ${ref} is missing`);
			const type = node.get(PDFName.of('Type'));
			const kids = this.resolve(node.get(PDFName.of('Kids')));
			if (type === PDFName.of('Page') || (type !== PDFName.of('Pages') && !kids)) {
				out.push({ ref, dict: node, inherited });
				return;
			}
			if (!(kids instanceof PDFArray)) throw new LazyReadError(`Pages node ${ref} has no Kids`);
			const own = new Map(inherited);
			for (const key of INHERITABLE) {
				const v = node.get(PDFName.of(key));
				if (v !== undefined) own.set(key, v);
			}
			visiting.add(ref.objectNumber);
			for (const kid of kids.asArray()) {
				if (!(kid instanceof PDFRef)) throw new LazyReadError('A page tree kid is not a reference');
				walk(kid, own, depth + 1);
			}
			visiting.delete(ref.objectNumber);
		};
		walk(top, new Map(), 0);
		return out;
	}
}

/** How far a parser has read: pdf-lib keeps its byte stream private but exposes offset(). */
function parsedLength(parser: PDFObjectParser): number {
	return (parser as unknown as { bytes: { offset(): number } }).bytes.offset();
}

function numbers(obj: PDFObject | undefined): number[] {
	if (!(obj instanceof PDFArray)) throw new LazyReadError('Expected an array of numbers');
	return obj.asArray().map((v) => {
		if (!(v instanceof PDFNumber)) throw new LazyReadError('Expected a number');
		return v.asNumber();
	});
}

/** Undoes PNG row prediction (PDF predictors 10–15): each row starts with its filter type. */
function unpredictPng(data: Uint8Array, row: number, bpp: number): Uint8Array {
	const rows = Math.floor(data.length / (row + 1));
	const out = new Uint8Array(rows * row);
	for (let r = 0; r < rows; r++) {
		const type = data[r * (row + 1)]!;
		const src = r * (row + 1) + 1;
		const dst = r * row;
		for (let i = 0; i < row; i++) {
			const raw = data[src + i]!;
			const left = i >= bpp ? out[dst + i - bpp]! : 0;
			const up = r > 0 ? out[dst - row + i]! : 0;
			const upLeft = r > 0 && i >= bpp ? out[dst - row + i - bpp]! : 0;
			let v: number;
			if (type === 0) v = raw;
			else if (type === 1) v = raw + left;
			else if (type === 2) v = raw + up;
			else if (type === 3) v = raw + ((left + up) >> 1);
			else if (type === 4) {
				const p = left + up - upLeft;
				const pa = Math.abs(p - left);
				const pb = Math.abs(p - up);
				const pc = Math.abs(p - upLeft);
				v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
			} else throw new LazyReadError(`Unknown PNG predictor row type ${type}`);
			out[dst + i] = v & 0xff;
		}
	}
	return out;
}
