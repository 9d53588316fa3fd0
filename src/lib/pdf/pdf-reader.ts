import { Dict, Name, Num, Parser, Ref, Stream, type PdfValue } from './pdf-syntax';
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
	ref: Ref;
	dict: Dict;
	inherited: ReadonlyMap<string, PdfValue>;
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
	readonly trailer: Dict;
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
	 * %%EOF; or an xref stream object): a rewrite drops them.
	 */
	readonly sections: { start: number; end: number }[] = [];
	private readonly entries = new Map<number, Entry>();
	/** Where the uncompressed objects read so far end (before `endobj`): the page cuts need it. */
	private readonly ends = new Map<number, number>();
	private readonly objStreams = new Map<
		number,
		{ data: Uint8Array; offsets: Map<number, number> }
	>();

	constructor(private readonly bytes: Uint8Array) {
		const header = /^%PDF-(\d+\.\d+)/.exec(latin1(bytes, 0, 16));
		if (!header) throw new LazyReadError('No %PDF header at the start');
		this.version = Number(header[1]);
		const tail = latin1(bytes, Math.max(0, bytes.length - 1024), bytes.length);
		const at = tail.lastIndexOf('startxref');
		const m = at < 0 ? null : /^startxref\s+(\d+)/.exec(tail.slice(at));
		if (!m) throw new LazyReadError('No startxref');
		this.startXref = Number(m[1]);

		let trailer: Dict | undefined;
		let streams = false;
		const seen = new Set<number>();
		let offset: number | undefined = this.startXref;
		while (offset !== undefined) {
			if (seen.has(offset) || seen.size >= MAX_XREF_SECTIONS) {
				throw new LazyReadError('Cross-reference sections loop');
			}
			seen.add(offset);
			let dict: Dict;
			if (latin1(bytes, offset, offset + 4) === 'xref') {
				const table = this.readTable(offset + 4);
				dict = table.dict;
				if (table.end !== undefined) this.sections.push({ start: offset, end: table.end });
				const stm = dict.get('XRefStm');
				if (stm instanceof Num) {
					// Hybrid file: the table's entries win, then its stream's, then older sections.
					this.readXrefStream(stm.value);
					streams = true;
				}
			} else {
				dict = this.readXrefStream(offset);
				const { end } = this.extent(offset);
				const tail = /^\s*startxref\s+\d+\s*%%EOF(\r\n|\r|\n)?/.exec(latin1(bytes, end, end + 64));
				this.sections.push({ start: offset, end: end + (tail ? tail[0].length : 0) });
				streams = true;
			}
			trailer ??= dict;
			const prev = dict.get('Prev');
			offset = prev instanceof Num ? prev.value : undefined;
		}
		this.trailer = trailer!;
		this.usesXrefStreams = streams;
		const declared = trailer!.get('Size');
		let size = declared instanceof Num ? declared.value : 0;
		for (const n of this.entries.keys()) size = Math.max(size, n + 1);
		this.size = size;
	}

	/** Reads a classic table's subsections (after the `xref` keyword) and its trailer. */
	private readTable(pos: number): { dict: Dict; end?: number } {
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
		const parser = new Parser(bytes, pos);
		const dict = parser.value();
		if (!(dict instanceof Dict)) throw new LazyReadError('No trailer dictionary');
		const after = parser.pos;
		const tail = /^\s*startxref\s+\d+\s*%%EOF(\r\n|\r|\n)?/.exec(latin1(bytes, after, after + 64));
		return { dict, end: tail ? after + tail[0].length : undefined };
	}

	/** Reads a cross-reference stream at `offset` into the entries; returns its dictionary. */
	private readXrefStream(offset: number): Dict {
		const stream = this.parseAt(offset).object;
		if (!(stream instanceof Stream) || !isName(stream.dict.get('Type'), 'XRef')) {
			throw new LazyReadError('No cross-reference stream where startxref points');
		}
		const { dict } = stream;
		const w = numbers(dict.get('W'));
		const size = dict.get('Size');
		if (w.length !== 3 || !(size instanceof Num)) throw new LazyReadError('Bad /W or /Size');
		const index = dict.has('Index') ? numbers(dict.get('Index')) : [0, size.value];
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
		if (!(object instanceof Dict) || !object.has('Linearized')) return undefined;
		return { n, start: m.index, end: this.afterEndobj(n, m.index, end) };
	}

	private afterEndobj(n: number, offset: number, end: number): number {
		const tail = /^\s*endobj(\r\n|\r|\n)?/.exec(latin1(this.bytes, end, end + 32));
		if (!tail) throw new LazyReadError(`Object ${n} at ${offset} has no endobj`);
		return end + tail[0].length;
	}

	/** The current entry for object `n`. */
	entry(n: number): Entry | undefined {
		return this.entries.get(n);
	}

	/** Parses the indirect object whose `n g obj` header starts at `offset`. */
	private parseAt(offset: number): {
		n: number;
		gen: number;
		object: PdfValue | Stream;
		end: number;
	} {
		const head = /^\s*(\d+)\s+(\d+)\s+obj/.exec(latin1(this.bytes, offset, offset + 48));
		if (!head) throw new LazyReadError(`No object header at offset ${offset}`);
		const parser = new Parser(this.bytes, offset + head[0].length);
		let object: PdfValue | Stream;
		try {
			object = parser.value();
			if (object instanceof Dict)
				object = parser.streamAfter(object, this.length(object)) ?? object;
		} catch (error) {
			throw new LazyReadError(error instanceof Error ? error.message : String(error));
		}
		return { n: Number(head[1]), gen: Number(head[2]), object, end: parser.pos };
	}

	/** A stream's /Length when it can be known without risk (a number, or a readable ref). */
	private length(dict: Dict): number | undefined {
		const v = dict.get('Length');
		if (v instanceof Num) return v.value;
		if (v instanceof Ref && this.entries.get(v.n)?.kind === 'offset') {
			try {
				const n = this.resolve(v);
				return n instanceof Num ? n.value : undefined;
			} catch {
				return undefined;
			}
		}
		return undefined;
	}

	/** The decoded data of a stream: FlateDecode (with PNG predictors) or no filter at all. */
	private decode(stream: Stream): Uint8Array {
		const filter = this.resolve(stream.dict.get('Filter'));
		const parms = this.resolve(stream.dict.get('DecodeParms'));
		if (filter === undefined || filter === null) return stream.data;
		const only = Array.isArray(filter) && filter.length === 1 ? this.resolve(filter[0]) : filter;
		if (!isName(only, 'FlateDecode')) throw new LazyReadError('Unsupported stream filter');
		let data: Uint8Array;
		try {
			data = unzlibSync(stream.data);
		} catch {
			throw new LazyReadError('Undecodable stream');
		}
		const p = Array.isArray(parms) ? this.resolve(parms[0]) : parms;
		if (!(p instanceof Dict)) return data;
		const int = (key: string, fallback: number) => {
			const v = this.resolve(p.get(key));
			return v instanceof Num ? v.value : fallback;
		};
		const predictor = int('Predictor', 1);
		if (predictor === 1) return data;
		if (predictor < 10) throw new LazyReadError('Unsupported TIFF predictor');
		const colors = int('Colors', 1);
		const bits = int('BitsPerComponent', 8);
		const bpp = Math.max(1, Math.ceil((colors * bits) / 8));
		const row = Math.ceil((int('Columns', 1) * colors * bits) / 8);
		return unpredictPng(data, row, bpp);
	}

	/** Follows references to the value they name; undefined for missing or free objects. */
	resolve(value: PdfValue | undefined): PdfValue | undefined {
		for (let i = 0; i < 32 && value instanceof Ref; i++) {
			const object = this.object(value);
			if (object instanceof Stream) throw new LazyReadError(`Object ${value.n} is a stream`);
			value = object;
		}
		return value instanceof Ref ? undefined : value;
	}

	/** The resolved value as a dictionary, or undefined. */
	dict(value: PdfValue | undefined): Dict | undefined {
		const v = this.resolve(value);
		return v instanceof Dict ? v : undefined;
	}

	/**
	 * The array `ref` names, if it names one: a page's Contents is usually a single stream,
	 * told apart by the first byte of the object rather than by reading it.
	 */
	arrayAt(ref: Ref): PdfValue[] | undefined {
		const entry = this.entries.get(ref.n);
		if (entry?.kind === 'offset') {
			const head = /^\s*\d+\s+\d+\s+obj\s*/.exec(
				latin1(this.bytes, entry.offset, entry.offset + 64)
			);
			if (head && this.bytes[entry.offset + head[0].length] !== 0x5b) return undefined;
		}
		const value = this.object(ref);
		return Array.isArray(value) ? value : undefined;
	}

	/** The current generation of object `n` (0 if unknown): page objects keep theirs. */
	generation(n: number): number {
		const e = this.entries.get(n);
		return e?.kind === 'offset' ? e.gen : 0;
	}

	/** The object a reference names (not cached: render reads each page dictionary once). */
	object(ref: Ref): PdfValue | Stream | undefined {
		const entry = this.entries.get(ref.n);
		if (!entry || entry.kind === 'free') return undefined;
		if (entry.kind === 'offset') {
			const { n, object, end } = this.parseAt(entry.offset);
			if (n !== ref.n) throw new LazyReadError(`Object ${n} where ${ref.n} should be`);
			this.ends.set(n, end);
			return object;
		}
		const stream = this.objectStream(entry.stream);
		const at = stream.offsets.get(ref.n);
		if (at === undefined) throw new LazyReadError(`Object ${ref.n} missing from its object stream`);
		try {
			return new Parser(stream.data, at).value();
		} catch (error) {
			throw new LazyReadError(error instanceof Error ? error.message : String(error));
		}
	}

	/** The byte range of uncompressed object `n` (read before, or read now). */
	objectRange(n: number): { start: number; end: number } {
		const entry = this.entries.get(n);
		if (entry?.kind !== 'offset') throw new LazyReadError(`Object ${n} is not uncompressed`);
		const end = this.ends.get(n) ?? this.parseAt(entry.offset).end;
		return { start: entry.offset, end: this.afterEndobj(n, entry.offset, end) };
	}

	private objectStream(n: number) {
		const cached = this.objStreams.get(n);
		if (cached) return cached;
		const entry = this.entries.get(n);
		if (entry?.kind !== 'offset') throw new LazyReadError(`Object stream ${n} not found`);
		const stream = this.parseAt(entry.offset).object;
		if (!(stream instanceof Stream)) throw new LazyReadError(`Object ${n} is no stream`);
		const count = this.resolve(stream.dict.get('N'));
		const first = this.resolve(stream.dict.get('First'));
		if (!(count instanceof Num) || !(first instanceof Num)) {
			throw new LazyReadError(`Object stream ${n} lacks /N or /First`);
		}
		const data = this.decode(stream);
		const header = latin1(data, 0, first.value).trim().split(/\s+/).map(Number);
		const offsets = new Map<number, number>();
		for (let i = 0; i < count.value; i++) {
			const num = header[2 * i];
			const off = header[2 * i + 1];
			if (num === undefined || off === undefined || !Number.isInteger(num + off)) {
				throw new LazyReadError(`Bad header in object stream ${n}`);
			}
			offsets.set(num, first.value + off);
		}
		const parsed = { data, offsets };
		this.objStreams.set(n, parsed);
		return parsed;
	}

	/** The page leaves in document order, each with its inherited attributes. */
	pages(): LazyPage[] {
		const root = this.dict(this.trailer.get('Root'));
		const top = root?.get('Pages');
		if (!(top instanceof Ref)) throw new LazyReadError('No page tree');
		const out: LazyPage[] = [];
		const visiting = new Set<number>();
		const leaves = new Set<number>();
		const walk = (ref: Ref, inherited: Map<string, PdfValue>, depth: number) => {
			if (depth > MAX_TREE_DEPTH || visiting.has(ref.n)) {
				throw new LazyReadError('Page tree loops or is too deep');
			}
			const node = this.dict(ref);
			if (!node) throw new LazyReadError(`Page tree node ${ref.n} is missing`);
			const type = node.get('Type');
			const kids = this.resolve(node.get('Kids'));
			if (isName(type, 'Page') || (!isName(type, 'Pages') && !kids)) {
				// One page object listed twice would be rewritten once with the marks of one.
				if (leaves.has(ref.n)) throw new LazyReadError(`Page ${ref.n} is listed twice`);
				leaves.add(ref.n);
				out.push({ ref, dict: node, inherited });
				return;
			}
			if (!Array.isArray(kids)) throw new LazyReadError(`Pages node ${ref.n} has no Kids`);
			const own = new Map(inherited);
			for (const key of INHERITABLE) {
				const v = node.get(key);
				if (v !== undefined) own.set(key, v);
			}
			visiting.add(ref.n);
			for (const kid of kids) {
				if (!(kid instanceof Ref)) throw new LazyReadError('A page tree kid is not a reference');
				walk(kid, own, depth + 1);
			}
			visiting.delete(ref.n);
		};
		walk(top, new Map(), 0);
		return out;
	}
}

/** Whether `value` is the name `text`. */
export function isName(value: PdfValue | undefined, text: string): boolean {
	return value instanceof Name && value.text === text;
}

function numbers(value: PdfValue | undefined): number[] {
	if (!Array.isArray(value)) throw new LazyReadError('Expected an array of numbers');
	return value.map((v) => {
		if (!(v instanceof Num)) throw new LazyReadError('Expected a number');
		return v.value;
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
