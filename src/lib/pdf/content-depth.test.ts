import { describe, expect, it } from 'vitest';
import { stackDepth } from './content-depth';

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const depth = (...chunks: string[]) => stackDepth(chunks.map(bytes));

describe('stackDepth (P10)', () => {
	it('P10: counts q and Q operators, the lowest excess and the end depth', () => {
		expect(depth('q 1 0 0 1 0 0 cm Q')).toEqual({ min: 0, end: 0 });
		expect(depth('Q Q Q 0 g')).toEqual({ min: -3, end: -3 });
		expect(depth('q q 0.1 0 0 0.1 0 0 cm')).toEqual({ min: 0, end: 2 });
		expect(depth('Q\nq\rq')).toEqual({ min: -1, end: 1 });
		// Operators glued to delimiters are still operators.
		expect(depth('q/GS0 gs[]0 d Q')).toEqual({ min: 0, end: 0 });
	});

	it('P10: a content array is one stream: depth carries across its parts', () => {
		expect(depth('q', '0 g', 'Q Q')).toEqual({ min: -1, end: -1 });
	});

	it('P10: ignores Q and q inside strings, names, comments, dictionaries and inline images', () => {
		const text = [
			'BT (Q \\) Q (q) Q) Tj <51 51> Tj ET', // literal strings with escapes and nesting; hex
			'/Q gs /q1 Do', // names
			'% Q Q Q', // a comment
			'/P << /Q 1 /q [/Q] >> BDC EMC', // a property list
			'BI /W 4 /H 1 /BPC 8 /CS /G ID \nQQ Q EI', // inline image data with "Q" bytes
			'Qq qQ' // regular tokens that are not q or Q
		].join('\n');
		expect(depth(text)).toEqual({ min: 0, end: 0 });
	});

	it('P10: a truncated string or inline image ends the scan instead of running past the data', () => {
		expect(depth('Q (unclosed Q Q')).toEqual({ min: -1, end: -1 });
		expect(depth('q BI /W 1 ID xxQ')).toEqual({ min: 0, end: 1 });
	});
});
