/*
 * A minimal PDF object model, parser and serialiser for the lazy renderer. Not pdf-lib's: its
 * parser interns every name in a process-wide pool and builds names a character at a time, so
 * the few dozen font keys on each of thousands of pages would cost tens of megabytes that are
 * never freed. Here names are flat strings that go when the render is done, and strings are
 * kept as their raw bytes (written back verbatim, never decoded).
 */

/** A name, as written in the file (still #-escaped): compared and written back as is. */
export class Name {
	constructor(readonly text: string) {}
}

/** A number, keeping its original text so it is written back byte for byte. */
export class Num {
	constructor(readonly text: string) {}
	get value(): number {
		return Number(this.text);
	}
	/** A number we write ourselves: at most 6 decimals, never exponent notation. */
	static of(n: number): Num {
		const fixed = Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/\.?0+$/, '');
		return new Num(fixed);
	}
}

/** An indirect reference `n g R`. */
export class Ref {
	constructor(
		readonly n: number,
		readonly g: number
	) {}
}

/** A literal or hex string, or a keyword we do not interpret: kept as raw bytes. */
export class Raw {
	constructor(readonly bytes: Uint8Array) {}
}

export type PdfValue = Name | Num | Ref | Raw | boolean | null | PdfValue[] | Dict;

/** A dictionary; keys are name texts without the slash. */
export class Dict {
	readonly map: Map<string, PdfValue>;
	constructor(entries?: Iterable<[string, PdfValue]>) {
		this.map = new Map(entries);
	}
	get(key: string): PdfValue | undefined {
		return this.map.get(key);
	}
	set(key: string, value: PdfValue): void {
		this.map.set(key, value);
	}
	has(key: string): boolean {
		return this.map.has(key);
	}
}

/** A stream as read: its dictionary and its (still encoded) data, a view into the file. */
export class Stream {
	constructor(
		readonly dict: Dict,
		readonly data: Uint8Array
	) {}
}

/** The text did not parse as PDF syntax. */
export class SyntaxError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PdfSyntaxError';
	}
}

const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

/**
 * Bytes as a latin1 string, built in one piece: concatenating character by character would
 * leave a rope of cons-strings per name, several times the name's size in memory.
 */
const text = (bytes: Uint8Array, from: number, to: number): string => {
	if (to - from === 1) return String.fromCharCode(bytes[from]!);
	let s = '';
	for (let i = from; i < to; i += 8192) {
		const part = bytes.subarray(i, Math.min(to, i + 8192));
		s += String.fromCharCode.apply(null, part as unknown as number[]);
	}
	return s;
};

const DIGIT = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) DIGIT[c] = 1;
const NUMERIC = new Uint8Array(256);
for (const c of '0123456789+-.') NUMERIC[c.charCodeAt(0)] = 1;

/** A cursor over PDF bytes that reads one object at a time. */
export class Parser {
	constructor(
		readonly bytes: Uint8Array,
		public pos = 0
	) {}

	skipSpace(): void {
		const { bytes } = this;
		for (;;) {
			while (this.pos < bytes.length && WS[bytes[this.pos]!]) this.pos++;
			if (bytes[this.pos] !== 0x25) return; // %
			while (this.pos < bytes.length && bytes[this.pos] !== 0x0a && bytes[this.pos] !== 0x0d) {
				this.pos++;
			}
		}
	}

	/** A bare token (number, keyword) at the cursor, without consuming it. */
	private token(): string {
		let end = this.pos;
		const { bytes } = this;
		while (end < bytes.length && !WS[bytes[end]!] && !DELIM[bytes[end]!]) end++;
		return text(bytes, this.pos, end);
	}

	/** Whether `word` follows (then it is consumed). */
	keyword(word: string): boolean {
		this.skipSpace();
		if (this.token() !== word) return false;
		this.pos += word.length;
		return true;
	}

	value(depth = 0): PdfValue {
		if (depth > 100) throw new SyntaxError('Objects nested too deeply');
		this.skipSpace();
		const { bytes } = this;
		const c = bytes[this.pos];
		if (c === undefined) throw new SyntaxError('Unexpected end of data');
		if (c === 0x3c && bytes[this.pos + 1] === 0x3c) return this.dict(depth);
		if (c === 0x3c) {
			const end = bytes.indexOf(0x3e, this.pos);
			if (end < 0) throw new SyntaxError('Unterminated hex string');
			const raw = new Raw(bytes.subarray(this.pos, end + 1));
			this.pos = end + 1;
			return raw;
		}
		if (c === 0x28) return this.literal();
		if (c === 0x2f) return this.name();
		if (c === 0x5b) {
			this.pos++;
			const items: PdfValue[] = [];
			for (;;) {
				this.skipSpace();
				if (bytes[this.pos] === 0x5d) break;
				if (this.pos >= bytes.length) throw new SyntaxError('Unterminated array');
				items.push(this.value(depth + 1));
			}
			this.pos++;
			return items;
		}
		if (NUMERIC[c]) return this.numberOrRef();
		const word = this.token();
		if (word === '') throw new SyntaxError(`Unexpected byte ${c} at ${this.pos}`);
		this.pos += word.length;
		if (word === 'true') return true;
		if (word === 'false') return false;
		if (word === 'null') return null;
		throw new SyntaxError(`Unexpected ${word}`);
	}

	/** A number, or `n g R`: scanned on the bytes, a string made only for what is kept. */
	private numberOrRef(): Num | Ref {
		const { bytes } = this;
		const start = this.pos;
		let end = start;
		while (end < bytes.length && NUMERIC[bytes[end]!]) end++;
		let integer = true;
		for (let i = start; i < end && integer; i++) integer = DIGIT[bytes[i]!] === 1;
		this.pos = end;
		if (integer) {
			// Look ahead for a second integer and R; otherwise it was a plain number.
			let p = end;
			while (p < bytes.length && WS[bytes[p]!]) p++;
			const genStart = p;
			while (p < bytes.length && DIGIT[bytes[p]!]) p++;
			const genEnd = p;
			if (genEnd > genStart && (WS[bytes[p]!] || bytes[p] === 0x52)) {
				while (p < bytes.length && WS[bytes[p]!]) p++;
				const after = bytes[p + 1];
				if (bytes[p] === 0x52 && (after === undefined || WS[after] || DELIM[after])) {
					this.pos = p + 1;
					let n = 0;
					for (let i = start; i < end; i++) n = n * 10 + bytes[i]! - 0x30;
					let g = 0;
					for (let i = genStart; i < genEnd; i++) g = g * 10 + bytes[i]! - 0x30;
					return new Ref(n, g);
				}
			}
		}
		const word = text(bytes, start, end);
		if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) throw new SyntaxError(`Bad number ${word}`);
		return new Num(word);
	}

	private name(): Name {
		const { bytes } = this;
		let end = this.pos + 1;
		while (end < bytes.length && !WS[bytes[end]!] && !DELIM[bytes[end]!]) end++;
		const name = new Name(text(bytes, this.pos + 1, end));
		this.pos = end;
		return name;
	}

	private literal(): Raw {
		const { bytes } = this;
		let depth = 0;
		let i = this.pos;
		for (; i < bytes.length; i++) {
			const b = bytes[i];
			if (b === 0x5c) i++;
			else if (b === 0x28) depth++;
			else if (b === 0x29 && --depth === 0) break;
		}
		if (i >= bytes.length) throw new SyntaxError('Unterminated string');
		const raw = new Raw(bytes.subarray(this.pos, i + 1));
		this.pos = i + 1;
		return raw;
	}

	private dict(depth: number): Dict {
		this.pos += 2;
		const dict = new Dict();
		const { bytes } = this;
		for (;;) {
			this.skipSpace();
			if (bytes[this.pos] === 0x3e && bytes[this.pos + 1] === 0x3e) break;
			if (bytes[this.pos] !== 0x2f) throw new SyntaxError(`Dictionary key expected at ${this.pos}`);
			const key = this.name().text;
			dict.set(key, this.value(depth + 1));
		}
		this.pos += 2;
		return dict;
	}

	/**
	 * After a dictionary: the stream's data if the `stream` keyword follows. `length` is the
	 * resolved /Length; without a usable one the data runs to `endstream`.
	 */
	streamAfter(dict: Dict, length: number | undefined): Stream | undefined {
		const { bytes } = this;
		const save = this.pos;
		this.skipSpace();
		if (this.token() !== 'stream') {
			this.pos = save;
			return undefined;
		}
		this.pos += 6;
		if (bytes[this.pos] === 0x0d) this.pos++;
		if (bytes[this.pos] === 0x0a) this.pos++;
		const start = this.pos;
		const fits = (end: number) => {
			const p = new Parser(bytes, end);
			return p.keyword('endstream');
		};
		let end: number;
		if (length !== undefined && start + length <= bytes.length && fits(start + length)) {
			end = start + length;
		} else {
			end = indexOfWord(bytes, 'endstream', start);
			if (end < 0) throw new SyntaxError('Unterminated stream');
			// The EOL before endstream is not part of the data.
			if (bytes[end - 1] === 0x0a) end--;
			if (bytes[end - 1] === 0x0d) end--;
		}
		this.pos = end;
		this.keyword('endstream');
		return new Stream(dict, bytes.subarray(start, end));
	}
}

function indexOfWord(bytes: Uint8Array, word: string, from: number): number {
	const first = word.charCodeAt(0);
	for (let i = bytes.indexOf(first, from); i >= 0; i = bytes.indexOf(first, i + 1)) {
		let ok = true;
		for (let k = 1; k < word.length && ok; k++) ok = bytes[i + k] === word.charCodeAt(k);
		if (ok) return i;
	}
	return -1;
}

/** Serialises a value to PDF syntax. */
export function serialize(value: PdfValue, out: Writer): void {
	if (value === null) out.text('null');
	else if (value === true) out.text('true');
	else if (value === false) out.text('false');
	else if (value instanceof Name) out.text(`/${value.text}`);
	else if (value instanceof Num) out.text(value.text);
	else if (value instanceof Ref) out.text(`${value.n} ${value.g} R`);
	else if (value instanceof Raw) out.bytes(value.bytes);
	else if (Array.isArray(value)) {
		out.text('[');
		value.forEach((v, i) => {
			if (i > 0) out.text(' ');
			serialize(v, out);
		});
		out.text(']');
	} else {
		out.text('<<');
		for (const [key, v] of value.map) {
			out.text(`/${key} `);
			serialize(v, out);
		}
		out.text('>>');
	}
}

/** Collects output bytes in pieces; views into the original are kept, not copied. */
export class Writer {
	private readonly parts: Uint8Array[] = [];
	private pending = '';
	length = 0;

	text(s: string): void {
		this.pending += s;
		this.length += s.length;
		if (this.pending.length > 16384) this.flushText();
	}

	bytes(b: Uint8Array): void {
		this.flushText();
		this.parts.push(b);
		this.length += b.byteLength;
	}

	private flushText(): void {
		if (!this.pending) return;
		const b = new Uint8Array(this.pending.length);
		for (let i = 0; i < this.pending.length; i++) b[i] = this.pending.charCodeAt(i) & 0xff;
		this.parts.push(b);
		this.pending = '';
	}

	/** The bytes written, in one array. */
	result(): Uint8Array {
		this.flushText();
		const out = new Uint8Array(this.length);
		let at = 0;
		for (const p of this.parts) {
			out.set(p, at);
			at += p.byteLength;
		}
		return out;
	}
}
