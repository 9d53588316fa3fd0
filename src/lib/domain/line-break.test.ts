import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { breakLines, violatesKinsoku } from './line-break';

/** One unit per character: enough to reason about where breaks fall. */
const chars = (s: string) => [...s].length;

describe('breakLines', () => {
	it('CE3: breaks Chinese between any two characters to fill the line', () => {
		expect(breakLines('甲方乙方丙方丁方', 3, chars)).toEqual(['甲方乙', '方丙方', '丁方']);
	});

	it('CE3: never starts a line with closing punctuation', () => {
		// A plain fill would put '，' first on the second line; the character before goes with it.
		const lines = breakLines('甲方乙，丙方丁', 3, chars);
		expect(lines).toEqual(['甲方', '乙，丙', '方丁']);
		for (const line of lines) expect(violatesKinsoku(line)).toBe(false);
	});

	it('CE3: never ends a line with opening punctuation', () => {
		// '（' goes down with '乙' rather than ending the first line.
		expect(breakLines('甲方（乙方）', 3, chars)).toEqual(['甲方', '（乙', '方）']);
		expect(breakLines('甲方乙「丙」', 4, chars)).toEqual(['甲方乙', '「丙」']);
	});

	it('CE3: keeps Latin words whole and drops the space at a break', () => {
		expect(breakLines('Shanghai Pudong Trading', 10, chars)).toEqual([
			'Shanghai',
			'Pudong',
			'Trading'
		]);
		expect(breakLines('签章 SealPass 平台', 9, chars)).toEqual(['签章', 'SealPass', '平台']);
	});

	it('CE3: splits a word only when it alone is longer than the line', () => {
		const hash = 'a'.repeat(25);
		expect(breakLines(hash, 10, chars)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
		// A closing mark after a split word still takes a character along.
		expect(breakLines('abcdefghij,', 10, chars)).toEqual(['abcdefghi', 'j,']);
	});

	it('CE3: keeps the spaces that do not fall at a break', () => {
		expect(breakLines('a (b c) d', 20, chars)).toEqual(['a (b c) d']);
		expect(breakLines('合同（Contract No. 7）。', 40, chars)).toEqual(['合同（Contract No. 7）。']);
	});

	it('CE3: a word split down to its first letter still moves its closing marks along', () => {
		expect(breakLines('a2)」」', 4, chars)).toEqual(['a', '2)」」']);
	});

	it('CE3: marks around one character wider than the line break somewhere, losing nothing', () => {
		const lines = breakLines('《《甲。」', 4, chars);
		expect(lines.join('')).toBe('《《甲。」');
		for (const line of lines) expect(chars(line)).toBeLessThanOrEqual(4);
	});

	it('CE3: keeps explicit newlines', () => {
		expect(breakLines('甲\n乙丙', 5, chars)).toEqual(['甲', '乙丙']);
	});

	it('CE3: any text — no line too wide, no line that breaks the punctuation rule, nothing lost', () => {
		const alphabet = [...'甲乙丙丁公司，。、（）「」《》abc XY12,.()'];
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }),
				fc.integer({ min: 4, max: 20 }),
				(list, width) => {
					const text = list.join('');
					// Opening marks, one character and closing marks hold together: no break inside
					// them meets the rule, so a cluster wider than the line must break it somewhere
					// (《《甲。」 on a line of 4). Spaces count, as they may stay inside a cluster.
					const clusters = text.match(
						/[（「《(\s]*[^（）「」《》()，。、,.\s]?[\s）」》)，。、,.]*/g
					);
					fc.pre((clusters ?? []).every((c) => chars(c) <= width));
					const lines = breakLines(text, width, chars);
					for (const line of lines) expect(chars(line)).toBeLessThanOrEqual(width);
					// Only spaces may vanish, and only at breaks.
					expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
					// With room enough, the text comes back as it was, spaces collapsed.
					if (lines.length === 1 && text.trim()) {
						expect(lines[0]).toBe(text.trim().replace(/\s+/g, ' '));
					}
					// Only the text's own first and last characters may break the rule: nothing can
					// move before the first or after the last.
					lines.forEach((line, i) => {
						const c = [...line];
						const head = i === 0 ? 'x' : (c[0] ?? 'x');
						const tail = i === lines.length - 1 ? 'x' : (c.at(-1) ?? 'x');
						expect(violatesKinsoku(head + tail)).toBe(false);
					});
				}
			),
			{ numRuns: Number(process.env.FC_RUNS ?? 1000) }
		);
	});

	it('CE3: an estimate only saves measuring; the lines are those of measuring every candidate', () => {
		// Widths per character, with ligature-like pairs narrower together than apart (as shaped
		// Latin is); the estimate is the plain sum, off by those pairs and by a random skew.
		const advance = (ch: string) => (/[\u4e00-\u9fff]/.test(ch) ? 10 : ch === ' ' ? 3 : 6);
		const shaped = (s: string) =>
			[...s].reduce((w, ch) => w + advance(ch), 0) - 2 * (s.match(/fi/g)?.length ?? 0);
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom(...'甲乙丙，。（）「」fi ab SealPass'.split('')), {
					maxLength: 80
				}),
				fc.integer({ min: 12, max: 120 }),
				fc.double({ min: 0.8, max: 1.25, noNaN: true }),
				(list, width, skew) => {
					const text = list.join('');
					const estimate = (s: string) => [...s].reduce((w, ch) => w + advance(ch), 0) * skew;
					expect(breakLines(text, width, shaped, estimate)).toEqual(
						breakLines(text, width, shaped)
					);
				}
			),
			{ numRuns: Number(process.env.FC_RUNS ?? 1000) }
		);
	});
});
