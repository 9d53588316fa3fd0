/**
 * How far a page's content moves the graphics-state stack (P10). Real files do not always
 * balance `q` and `Q`: some restore more states than they saved, some save and never restore,
 * and some leave a transform behind. render() must draw its marks in the page's own untouched
 * state after any of that, so it needs to know the deepest excess of `Q` and the depth at the end.
 * Only the operators `q` and `Q` are counted; strings, names, comments, dictionaries and inline
 * image data are skipped so that a `Q` inside them is never taken for an operator.
 */

export interface StackDepth {
	/** The lowest depth reached, relative to the start (≤ 0; −2 means two unmatched `Q`). */
	min: number;
	/** The depth at the end, relative to the start. */
	end: number;
}

/** Scans content streams in order (a page's /Contents array is one stream cut at token bounds). */
export function stackDepth(chunks: Iterable<Uint8Array>): StackDepth {
	let depth = 0;
	let min = 0;
	for (const data of chunks) {
		scan(data, (op) => {
			if (op === Q_LOWER) depth++;
			else {
				depth--;
				if (depth < min) min = depth;
			}
		});
	}
	return { min, end: depth };
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
