/**
 * How far a page's content moves the graphics-state stack (P10). Real files do not always
 * balance `q` and `Q`: some restore more states than they saved, some save and never restore,
 * and some leave a transform behind. render() must draw its marks in the page's own untouched
 * state after any of that, so it needs to know the deepest excess of `Q` and the depth at the end.
 * Only the operators `q` and `Q` are counted; strings, names, comments, dictionaries and inline
 * image data are skipped so that a `Q` inside them is never taken for an operator.
 */
import { PDFContext, PDFName, PDFRawStream, decodePDFRawStream } from '@cantoo/pdf-lib';
import { Unzlib, unzlibSync } from 'fflate';

export interface StackDepth {
	/** The lowest depth reached, relative to the start (≤ 0; −2 means two unmatched `Q`). */
	min: number;
	/** The depth at the end, relative to the start. */
	end: number;
	/** False when the content ran past CONTENT_SCAN_LIMIT: the rest was not read. */
	complete: boolean;
}

/** One content stream as stored: its filter names (in order) and its encoded bytes. */
export interface EncodedContent {
	filters: readonly string[];
	data: Uint8Array;
}

/**
 * Decoded content read per page, at most. Real pages stay far below (a scan's page is an image
 * XObject and a few operators); the limit keeps a deflate bomb in a content stream from taking
 * the server's memory or time, since no other part of render() decodes content streams.
 */
export const CONTENT_SCAN_LIMIT = 32 * 1024 * 1024;

/** Scans a page's content streams in order (its /Contents array is one stream cut at tokens). */
export function stackDepth(
	streams: Iterable<EncodedContent>,
	limit = CONTENT_SCAN_LIMIT
): StackDepth {
	let depth = 0;
	let min = 0;
	let complete = true;
	let budget = limit;
	const onOp = (op: number) => {
		if (op === Q_LOWER) depth++;
		else {
			depth--;
			if (depth < min) min = depth;
		}
	};
	for (const stream of streams) {
		const decoded = decode(stream, budget);
		if (!decoded.complete) complete = false;
		budget -= decoded.data.length;
		scan(decoded.data, onOp);
		if (budget <= 0) {
			complete = false;
			break;
		}
	}
	return { min, end: depth, complete };
}

/**
 * The decoded bytes of one stream, at most `limit` of them, each filter of the chain in turn.
 * Flate is inflated by fflate in small steps so neither memory nor time follows a bomb's
 * expansion; the other filters (ASCIIHex, ASCII85, LZW, RunLength) by pdf-lib's decoders,
 * read in blocks up to the limit. A damaged stream gives what decoded before the damage, and
 * one no decoder reads gives nothing — what viewers execute of it too.
 */
function decode(
	{ filters, data }: EncodedContent,
	limit: number
): { data: Uint8Array; complete: boolean } {
	let bytes = data.subarray(0, limit);
	let complete = data.length <= limit;
	filters.forEach((filter, i) => {
		const step =
			filter === 'FlateDecode'
				? inflate(bytes, limit, i === filters.length - 1)
				: otherFilter(filter, bytes, limit);
		bytes = step.data;
		complete = step.complete;
	});
	return { data: bytes, complete };
}

/** Deflate's expansion is bounded near 1032:1, so this much input inflates to ≤ 16.5 MB. */
const STEP = 16 * 1024;
const MAX_RATIO = 1032;

/**
 * One buffer that a page's content is inflated into, reused page after page. A fresh buffer per
 * page (or fflate's stepwise inflater, which copies each step several times) left thousands of
 * short-lived buffers to the garbage collector on a riding seam over 2,000 pages, and raised
 * render()'s peak memory by tens of MB. Large enough for any ordinary page.
 */
const SCRATCH_BYTES = 256 * 1024;
let scratch: Uint8Array | undefined;

/**
 * Inflates `data`, at most `limit` bytes of it. With `reuse`, the result may be a view of the
 * shared scratch buffer, valid only until the next call: the caller reads it at once.
 */
function inflate(
	data: Uint8Array,
	limit: number,
	reuse: boolean
): { data: Uint8Array; complete: boolean } {
	// A page's content stream is a few KB of deflate: inflated at once, bounded by its size.
	// Damaged data throws here and is read again stepwise below, keeping what decodes.
	if (data.length <= STEP && data.length * MAX_RATIO <= limit) {
		try {
			if (reuse) {
				scratch ??= new Uint8Array(SCRATCH_BYTES);
				// fflate writes no further than the buffer's end: a result that fills it may be cut.
				const out = unzlibSync(data, { out: scratch });
				if (out.length < scratch.length) return { data: out, complete: true };
			}
			return { data: unzlibSync(data), complete: true };
		} catch {
			// Read again below.
		}
	}
	const chunks: Uint8Array[] = [];
	let total = 0;
	let over = false;
	const inflater = new Unzlib((chunk) => {
		if (over) return;
		const room = limit - total;
		if (chunk.length > room) over = true;
		// fflate hands each step out in a fresh array of its own: kept as it is, not copied.
		const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
		chunks.push(kept);
		total += kept.length;
	});
	// Each step of STEP bytes in inflates to at most about 16 MB out.
	try {
		for (let at = 0; at < data.length && !over; at += STEP) {
			inflater.push(data.subarray(at, at + STEP), at + STEP >= data.length);
		}
	} catch {
		// Damaged data: keep what was inflated before it.
	}
	return { data: concat(chunks, total), complete: !over };
}

function otherFilter(
	filter: string,
	data: Uint8Array,
	limit: number
): { data: Uint8Array; complete: boolean } {
	const chunks: Uint8Array[] = [];
	let total = 0;
	try {
		const context = PDFContext.create();
		const dict = context.obj({ Filter: PDFName.of(filter) });
		const stream = decodePDFRawStream(PDFRawStream.of(dict, data));
		for (;;) {
			const block = stream.getBytes(Math.min(64 * 1024, limit + 1 - total));
			if (block.length === 0) break;
			chunks.push(Uint8Array.from(block));
			total += block.length;
			if (total > limit) return { data: concat(chunks, total).subarray(0, limit), complete: false };
		}
	} catch {
		// A filter pdf-lib does not know (no content stream uses an image filter) or damage.
	}
	return { data: concat(chunks, total), complete: true };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
	if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
	const out = new Uint8Array(total);
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.length;
	}
	return out;
}

const Q_LOWER = 0x71; // q
const Q_UPPER = 0x51; // Q

function isSpace(b: number): boolean {
	return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;
}

function isDelimiter(b: number): boolean {
	// ( ) < > [ ] { } / %
	return (
		b === 0x28 ||
		b === 0x29 ||
		b === 0x3c ||
		b === 0x3e ||
		b === 0x5b ||
		b === 0x5d ||
		b === 0x7b ||
		b === 0x7d ||
		b === 0x2f ||
		b === 0x25
	);
}

/** Calls `onOp` with `q` or `Q` for each of those operators in one content stream. */
function scan(data: Uint8Array, onOp: (op: number) => void): void {
	const n = data.length;
	let i = 0;
	while (i < n) {
		const b = data[i]!;
		if (isSpace(b)) {
			i++;
		} else if (b === 0x25) {
			// % comment, to the end of the line
			while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i++;
		} else if (b === 0x28) {
			i = skipString(data, i + 1);
		} else if (b === 0x3c) {
			if (data[i + 1] === 0x3c) i += 2;
			else {
				// <hex string>
				while (i < n && data[i] !== 0x3e) i++;
				i++;
			}
		} else if (b === 0x2f) {
			// /Name: the name's bytes are regular characters
			i++;
			while (i < n && !isSpace(data[i]!) && !isDelimiter(data[i]!)) i++;
		} else if (isDelimiter(b)) {
			i++; // ) > [ ] { } on their own
		} else {
			const start = i;
			while (i < n && !isSpace(data[i]!) && !isDelimiter(data[i]!)) i++;
			if (i - start === 1 && (b === Q_LOWER || b === Q_UPPER)) onOp(b);
			else if (i - start === 2 && b === 0x42 && data[start + 1] === 0x49)
				i = skipInlineImage(data, i);
		}
	}
}

/** Past a literal string whose `(` was just read: nested parentheses and escapes. */
function skipString(data: Uint8Array, i: number): number {
	let level = 1;
	while (i < data.length && level > 0) {
		const b = data[i]!;
		if (b === 0x5c) i += 2;
		else {
			if (b === 0x28) level++;
			else if (b === 0x29) level--;
			i++;
		}
	}
	return i;
}

/**
 * Past an inline image whose `BI` was just read: its dictionary up to `ID`, then binary data up
 * to an `EI` standing alone between white space (how poppler and pdf.js find its end too).
 */
function skipInlineImage(data: Uint8Array, i: number): number {
	const n = data.length;
	// The dictionary holds names, numbers and arrays only: find the ID operator.
	while (i < n) {
		if (
			data[i] === 0x49 &&
			data[i + 1] === 0x44 &&
			isSpace(data[i - 1] ?? 0x20) &&
			(i + 2 >= n || isSpace(data[i + 2]!))
		) {
			i += 3; // "ID" and the one white-space byte after it
			break;
		}
		i++;
	}
	while (i < n) {
		if (
			data[i] === 0x45 &&
			data[i + 1] === 0x49 &&
			isSpace(data[i - 1] ?? 0x20) &&
			(i + 2 >= n || isSpace(data[i + 2]!))
		) {
			return i + 2;
		}
		i++;
	}
	return n;
}
