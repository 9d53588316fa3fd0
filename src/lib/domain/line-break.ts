/**
 * Line breaking for mixed Chinese and Latin text (CE3), for PDF pages where nothing wraps text
 * for us. Chinese may break between any two characters, except that closing punctuation never
 * starts a line and opening punctuation never ends one (the usual 避头尾 rule); Latin words and
 * numbers break only at spaces, unless a word alone is wider than the line. Pure: the caller
 * passes the measure (the font's advance widths), so the rule is tested without a font.
 */

/** Punctuation that must not begin a line: it belongs to the text before it. */
const CLOSING = new Set([
	...'，。、；：？！）］｝」』】》〉〕〗〙〛”’…‥·・～％‰．',
	...',.;:?!)]}%'
]);

/** Punctuation that must not end a line: it belongs to the text after it. */
const OPENING = new Set([...'（［｛「『【《〈〔〖〘〚“‘', ...'([{']);

/** Characters each of which is a break opportunity on both sides (CJK ideographs, kana, …). */
export const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[\u{20000}-\u{2ffff}]/u;

export type Measure = (text: string) => number;

/** An unbreakable run of text and whether a space came before it (a droppable break). */
interface Atom {
	text: string;
	spaceBefore: boolean;
}

/** Splits one paragraph into atoms: CJK characters, Latin words, punctuation glued on. */
export function atoms(paragraph: string): Atom[] {
	const out: Atom[] = [];
	let word = '';
	let space = false;
	let glueNext = false; // the last atom ends with opening punctuation: the next joins it
	const push = (text: string) => {
		if (glueNext && out.length > 0) out[out.length - 1]!.text += (space ? ' ' : '') + text;
		else out.push({ text, spaceBefore: space && out.length > 0 });
		space = false;
		glueNext = false;
	};
	let extend: string | null = null; // a word that continues the last atom, after this separator
	const flushWord = () => {
		if (word && extend !== null) out[out.length - 1]!.text += extend + word;
		else if (word) push(word);
		word = '';
		extend = null;
	};
	for (const ch of paragraph) {
		if (/\s/u.test(ch)) {
			flushWord();
			space = true;
			continue;
		}
		if (CLOSING.has(ch)) {
			// Closing punctuation joins what precedes it, word or character, across no space.
			// A space between them stays, but gives no break.
			if (word) word += ch;
			else if (out.length > 0) {
				out[out.length - 1]!.text += (space ? ' ' : '') + ch;
				space = false;
				glueNext = false;
			} else push(ch);
			continue;
		}
		if (OPENING.has(ch)) {
			flushWord();
			push(ch);
			glueNext = true;
			continue;
		}
		if (CJK.test(ch)) {
			flushWord();
			push(ch);
			continue;
		}
		if (glueNext && !word) {
			// A Latin word right after opening punctuation: the word continues that atom.
			extend = space ? ' ' : '';
			word = ch;
			space = false;
			glueNext = false;
			continue;
		}
		word += ch;
	}
	flushWord();
	return out;
}

/**
 * Breaks `text` into lines no wider than `width` by `measure`. Explicit newlines are kept;
 * spaces at a break are dropped. An atom wider than the line on its own (a long hash, an
 * unspaced URL) is split between characters, as the only way to keep it on the page.
 *
 * `estimate`, when given, is a cheap approximation of `measure` that adds up over the text's
 * pieces (a sum of per-character advances): it guesses how many atoms a line holds, and `measure` then only confirms the guess
 * and its neighbour. The lines are the same as measuring every candidate (widths only grow as
 * atoms are added); without it a shaped measure ran once per added character, which made
 * breaking Chinese text quadratic in the line's length.
 */
export function breakLines(
	text: string,
	width: number,
	measure: Measure,
	estimate: Measure = measure
): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split(/\r?\n/)) {
		let line = '';
		const emit = () => {
			lines.push(line);
			line = '';
		};
		const list = atoms(paragraph);
		let i = 0;
		while (i < list.length) {
			const taken = fitting(line, list, i, width, measure, estimate);
			if (taken > 0) {
				line = joinAtoms(line, list, i, taken);
				i += taken;
				if (i >= list.length) break;
			}
			// Atom i does not fit on this line.
			const atom = list[i]!;
			i += 1;
			if (line) emit();
			if (measure(atom.text) <= width) {
				line = atom.text;
				continue;
			}
			for (const ch of atom.text) {
				if (line && measure(line + ch) > width) {
					// Even inside a split word a closing mark takes the character before it along.
					// Even inside a split run, characters move down until the new line starts with
					// no closing mark and the old one ends with no opening mark.
					const chars = [...line];
					let carry = '';
					while (
						chars.length > 1 &&
						(CLOSING.has([...(carry + ch)][0]!) || OPENING.has(chars.at(-1)!))
					) {
						carry = chars.pop()! + carry;
					}
					const stillBroken = CLOSING.has([...(carry + ch)][0]!) || OPENING.has(chars.at(-1)!);
					if (stillBroken && carry) {
						// Marks around one character outlast the line: no place satisfies the rule.
						chars.push(...carry);
						carry = '';
					}
					line = chars.join('');
					emit();
					line = carry;
				}
				line += ch;
			}
		}
		lines.push(line);
	}
	return lines;
}

/** `line` with `count` atoms from `start` appended, each after its space if it had one. */
function joinAtoms(line: string, list: Atom[], start: number, count: number): string {
	let out = line;
	for (let k = start; k < start + count; k++) {
		const atom = list[k]!;
		out = out ? out + (atom.spaceBefore ? ' ' : '') + atom.text : atom.text;
	}
	return out;
}

/**
 * How many atoms from `start` still fit on `line` by `measure`: the estimate's count, moved
 * down while the measured line is too wide, or up while the next atom still fits.
 */
function fitting(
	line: string,
	list: Atom[],
	start: number,
	width: number,
	measure: Measure,
	estimate: Measure
): number {
	// The estimate is a sum over characters, so it is summed atom by atom rather than taken
	// again over the whole growing candidate (which made the guess quadratic in the line).
	let guess = 0;
	let sum = line ? estimate(line) : 0;
	let empty = !line;
	for (let k = start; k < list.length; k++) {
		const atom = list[k]!;
		sum += estimate(!empty && atom.spaceBefore ? ` ${atom.text}` : atom.text);
		empty = false;
		if (sum > width) break;
		guess += 1;
	}
	let count = guess;
	while (count > 0 && measure(joinAtoms(line, list, start, count)) > width) count -= 1;
	if (count === guess) {
		while (
			start + count < list.length &&
			measure(joinAtoms(line, list, start, count + 1)) <= width
		) {
			count += 1;
		}
	}
	return count;
}

/** Whether a line breaks the placement rule: closing punctuation first or opening last. */
export function violatesKinsoku(line: string): boolean {
	const chars = [...line];
	return (
		(chars.length > 0 && CLOSING.has(chars[0]!)) ||
		(chars.length > 0 && OPENING.has(chars[chars.length - 1]!))
	);
}
