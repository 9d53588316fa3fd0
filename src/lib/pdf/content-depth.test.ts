import { describe, expect, it } from 'vitest';
import { zlibSync } from 'fflate';
import { stackDepth } from './content-depth';

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const plain = (text: string) => ({ filters: [], data: bytes(text) });
const depth = (...chunks: string[]) => {
	const { min, end } = stackDepth(chunks.map(plain));
	return { min, end };
};

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

	it('P10: reads content through its filters, damaged streams as far as they decode', () => {
		const flate = { filters: ['FlateDecode'], data: zlibSync(bytes('Q Q q')) };
		expect(stackDepth([flate])).toEqual({ min: -2, end: -1, complete: true });
		const hex = { filters: ['ASCIIHexDecode'], data: bytes('5120 5120 71>') };
		expect(stackDepth([plain('Q'), hex])).toEqual({ min: -3, end: -2, complete: true });
		const chain = {
			filters: ['ASCIIHexDecode', 'FlateDecode'],
			data: bytes(`${Buffer.from(zlibSync(bytes('q q Q'))).toString('hex')}>`)
		};
		expect(stackDepth([chain])).toEqual({ min: 0, end: 1, complete: true });
		// A damaged Flate stream: what inflated before the damage counts, as viewers draw it
		// (read in steps of 16 KB of input, so the steps before the damaged one).
		const ops = 40_000;
		const text = Array.from({ length: ops }, (_, i) => `${(i * 7919) % 100_003} Q`).join(' ');
		const whole = zlibSync(bytes(text));
		expect(whole.length).toBeGreaterThan(64 * 1024);
		const partial = stackDepth([
			{ filters: ['FlateDecode'], data: whole.subarray(0, whole.length - 100) }
		]);
		expect(partial.complete).toBe(true);
		expect(partial.min).toBeLessThan(-ops / 2);
		expect(partial.min).toBeGreaterThan(-ops);
		// Undecodable: nothing a viewer could execute either.
		expect(stackDepth([{ filters: ['JBIG2Decode'], data: bytes('Q Q') }])).toEqual({
			min: 0,
			end: 0,
			complete: true
		});
	});

	it('P10: content larger than the reused inflate buffer, stream after stream, and deflated twice', () => {
		// 400 KB of operators from about 1 KB of deflate: more than the buffer one page reuses.
		const big = {
			filters: ['FlateDecode'],
			data: zlibSync(bytes('q '.repeat(150_000) + 'Q '.repeat(50_000)))
		};
		expect(big.data.length).toBeLessThan(16 * 1024);
		expect(stackDepth([big])).toEqual({ min: 0, end: 100_000, complete: true });
		// Each stream is read before the next reuses the buffer: depth carries over exactly.
		const small = (text: string) => ({ filters: ['FlateDecode'], data: zlibSync(bytes(text)) });
		expect(stackDepth([small('Q Q'), small('q q q'), big, small('Q')])).toEqual({
			min: -2,
			end: 100_000,
			complete: true
		});
		const twice = {
			filters: ['FlateDecode', 'FlateDecode'],
			data: zlibSync(zlibSync(bytes('Q q Q Q')))
		};
		expect(stackDepth([twice])).toEqual({ min: -2, end: -2, complete: true });
	});

	it('P10: a deflate bomb is read only up to the limit, in bounded steps', () => {
		// 64 MB of spaces deflate to about 64 KB; with a 1 MB limit only 1 MB is ever kept.
		const bomb = zlibSync(new Uint8Array(64 * 1024 * 1024).fill(0x20), { level: 9 });
		const started = performance.now();
		const result = stackDepth([plain('Q'), { filters: ['FlateDecode'], data: bomb }], 1 << 20);
		expect(result).toEqual({ min: -1, end: -1, complete: false });
		expect(performance.now() - started).toBeLessThan(2000);
	});
});
