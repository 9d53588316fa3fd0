import { describe, expect, it } from 'vitest';
import {
	checkResidentId,
	checkUscc,
	residentIdCheckChar,
	USCC_CATEGORIES,
	USCC_CHARSET,
	usccCheckChar
} from './validators';

// Independent oracles: the algorithms written out another way than the module does, so a shared
// mistake would have to be made twice.

/** GB 32100 as "the check value is the c that makes the weighted sum a multiple of 31". */
function oracleUsccCheck(body: string): string {
	const set = '0123456789ABCDEFGHJKLMNPQRTUWXY';
	let weight = 1;
	let sum = 0;
	for (const ch of body) {
		sum += set.indexOf(ch) * weight;
		weight = (weight * 3) % 31;
	}
	for (let c = 0; c < 31; c++) if ((sum + c) % 31 === 0) return set[c]!;
	throw new Error('unreachable');
}

/** GB 11643 as ISO 7064 MOD 11-2: weights 2^(18−i) mod 11, the check value c makes Σ ≡ 1. */
function oracleIdCheck(body: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * (2 ** (17 - i) % 11);
	for (let c = 0; c <= 10; c++) if ((sum + c) % 11 === 1) return c === 10 ? 'X' : String(c);
	throw new Error('unreachable');
}

/** Seeded generator so the property tests are reproducible. */
function rng(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const pick = <T>(r: () => number, xs: ArrayLike<T>): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: () => number, n: number) =>
	Array.from({ length: n }, () => pick(r, '0123456789')).join('');

function randomUsccBody(r: () => number): string {
	const category = pick(r, USCC_CATEGORIES);
	const org = Array.from({ length: 9 }, () => pick(r, USCC_CHARSET)).join('');
	return category + digits(r, 6) + org;
}

const TODAY = new Date('2024-06-15T12:00:00Z');

function randomIdBody(r: () => number): string {
	const region = String(1 + Math.floor(r() * 8)) + digits(r, 5);
	const start = Date.UTC(1900, 0, 1);
	const born = new Date(start + Math.floor(r() * (TODAY.getTime() - start)));
	const ymd = born.toISOString().slice(0, 10).replaceAll('-', '');
	return region + ymd + digits(r, 3);
}

describe('oracles agree with published samples', () => {
	it('V6: the widely published USCC 91350100M000100Y43 has check character 3', () => {
		expect(oracleUsccCheck('91350100M000100Y4')).toBe('3');
	});
	it('V13: the widely published ID 11010519491231002X has check character X', () => {
		expect(oracleIdCheck('11010519491231002')).toBe('X');
	});
});

describe('unified social credit code', () => {
	it('V6: accepts the published sample as valid', () => {
		expect(checkUscc('91350100M000100Y43')).toEqual({
			status: 'valid',
			normalised: '91350100M000100Y43'
		});
	});

	it('V1: normalises lower case, surrounding and inner whitespace, and full-width characters', () => {
		expect(checkUscc('  91350100m000100y43\n')).toEqual({
			status: 'valid',
			normalised: '91350100M000100Y43'
		});
		expect(checkUscc('9135 0100 M000 100Y 43').normalised).toBe('91350100M000100Y43');
		expect(checkUscc('９１３５０１００Ｍ０００１００Ｙ４３').status).toBe('valid');
	});

	it('V2: rejects a USCC that is not 18 characters long', () => {
		expect(checkUscc('')).toEqual({ status: 'invalid', reason: 'LENGTH' });
		expect(checkUscc('91350100M000100Y4')).toEqual({ status: 'invalid', reason: 'LENGTH' });
		expect(checkUscc('91350100M000100Y433')).toEqual({ status: 'invalid', reason: 'LENGTH' });
	});

	it('V3: rejects a USCC containing I, O, S, V or Z', () => {
		for (const bad of ['I', 'O', 'S', 'V', 'Z']) {
			expect(checkUscc(`91350100M000100${bad}43`)).toEqual({
				status: 'invalid',
				reason: 'CHARSET'
			});
		}
		expect(checkUscc('91350100M000100-43')).toEqual({ status: 'invalid', reason: 'CHARSET' });
	});

	it('V4: rejects a USCC whose registration authority and category are not in GB 32100', () => {
		const body = '14350100M000100Y4';
		expect(checkUscc(body + oracleUsccCheck(body))).toEqual({
			status: 'invalid',
			reason: 'CATEGORY'
		});
		const y2 = 'Y2350100M000100Y4';
		expect(checkUscc(y2 + oracleUsccCheck(y2)).reason).toBe('CATEGORY');
	});

	it('V4: accepts every listed category', () => {
		for (const category of USCC_CATEGORIES) {
			const body = `${category}350100M000100Y4`;
			expect(checkUscc(body + oracleUsccCheck(body)).status).toBe('valid');
		}
	});

	it('V5: rejects a USCC whose administrative division (positions 3-8) is not six digits', () => {
		const body = '91A50100M000100Y4';
		expect(checkUscc(body + oracleUsccCheck(body))).toEqual({
			status: 'invalid',
			reason: 'REGION'
		});
	});

	it('V6: a code whose only fault is the check character is suspect, with its normalised form', () => {
		expect(checkUscc('91350100m000100y44')).toEqual({
			status: 'suspect',
			normalised: '91350100M000100Y44',
			reason: 'CHECK'
		});
	});

	it('V7: reports the first failing rule in the order LENGTH, CHARSET, CATEGORY, REGION, CHECK', () => {
		expect(checkUscc('IO').reason).toBe('LENGTH');
		expect(checkUscc('14A50100M000100YI3').reason).toBe('CHARSET');
		expect(checkUscc('14A50100M000100Y43').reason).toBe('CATEGORY');
		expect(checkUscc('91A50100M000100Y40').reason).toBe('REGION');
	});

	it('V6: for generated bodies the computed check character makes the code valid', () => {
		const r = rng(32100);
		for (let n = 0; n < 500; n++) {
			const body = randomUsccBody(r);
			const check = oracleUsccCheck(body);
			expect(usccCheckChar(body)).toBe(check);
			expect(checkUscc(body + check)).toEqual({ status: 'valid', normalised: body + check });
		}
	});

	it('V6: changing any single character of a valid code makes it suspect or invalid', () => {
		const r = rng(31);
		for (let n = 0; n < 60; n++) {
			const body = randomUsccBody(r);
			const code = body + oracleUsccCheck(body);
			for (let i = 0; i < 18; i++) {
				for (const ch of USCC_CHARSET) {
					if (ch === code[i]) continue;
					const changed = code.slice(0, i) + ch + code.slice(i + 1);
					expect(checkUscc(changed).status, changed).not.toBe('valid');
				}
			}
		}
	});

	it('V6: swapping two adjacent different characters is detected', () => {
		const r = rng(7);
		for (let n = 0; n < 200; n++) {
			const body = randomUsccBody(r);
			const code = body + oracleUsccCheck(body);
			for (let i = 0; i < 17; i++) {
				if (code[i] === code[i + 1]) continue;
				const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
				expect(checkUscc(swapped).status, swapped).not.toBe('valid');
			}
		}
	});

	it('V15: usccCheckChar refuses a body of the wrong length or character set', () => {
		expect(usccCheckChar('91350100M000100Y')).toBeUndefined();
		expect(usccCheckChar('91350100M000100I4')).toBeUndefined();
	});
});

describe('resident ID number', () => {
	it('V14: accepts the published sample and reads its birth date and sex', () => {
		expect(checkResidentId('11010519491231002X', TODAY)).toEqual({
			ok: true,
			normalised: '11010519491231002X',
			birthDate: '1949-12-31',
			sex: 'female'
		});
	});

	it('V14: an odd 17th digit means male, an even one female', () => {
		const male = '11010519800101001';
		const female = '11010519800101002';
		expect(checkResidentId(male + oracleIdCheck(male), TODAY)).toMatchObject({ sex: 'male' });
		expect(checkResidentId(female + oracleIdCheck(female), TODAY)).toMatchObject({
			sex: 'female'
		});
	});

	it('V1: accepts lower-case x, whitespace and full-width digits, normalised', () => {
		expect(checkResidentId(' 110105 19491231 002x ', TODAY)).toMatchObject({
			ok: true,
			normalised: '11010519491231002X'
		});
		expect(checkResidentId('１１０１０５１９４９１２３１００２ｘ', TODAY).ok).toBe(true);
	});

	it('V8: rejects a number that is not 18 characters (including the old 15-digit form)', () => {
		expect(checkResidentId('', TODAY)).toEqual({ ok: false, reason: 'LENGTH' });
		expect(checkResidentId('110105491231002', TODAY)).toEqual({ ok: false, reason: 'LENGTH' });
		expect(checkResidentId('11010519491231002X1', TODAY)).toEqual({
			ok: false,
			reason: 'LENGTH'
		});
	});

	it('V9: rejects non-digits in the first 17 places and anything but a digit or X last', () => {
		expect(checkResidentId('1101051949123100XX', TODAY)).toEqual({ ok: false, reason: 'FORMAT' });
		expect(checkResidentId('11010519491231002Y', TODAY)).toEqual({ ok: false, reason: 'FORMAT' });
		expect(checkResidentId('A1010519491231002X', TODAY)).toEqual({ ok: false, reason: 'FORMAT' });
	});

	it('V10: rejects a region code starting with 0 or 9', () => {
		for (const first of ['0', '9']) {
			const body = `${first}1010519491231002`;
			expect(checkResidentId(body + oracleIdCheck(body), TODAY)).toEqual({
				ok: false,
				reason: 'REGION'
			});
		}
	});

	it('V11: rejects impossible calendar dates and accepts 29 February only in leap years', () => {
		const withDate = (ymd: string) => {
			const body = `110105${ymd}002`;
			return checkResidentId(body + oracleIdCheck(body), TODAY);
		};
		expect(withDate('19490230')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('19491301')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('19490001')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('19490100')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('19490431')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('19000229')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('19010229')).toEqual({ ok: false, reason: 'DATE' });
		expect(withDate('20000229')).toMatchObject({ ok: true, birthDate: '2000-02-29' });
		expect(withDate('19960229')).toMatchObject({ ok: true, birthDate: '1996-02-29' });
	});

	it('V11: rejects a birth date before 1900-01-01 and accepts that day itself', () => {
		const before = '11010518991231002';
		const first = '11010519000101002';
		expect(checkResidentId(before + oracleIdCheck(before), TODAY)).toEqual({
			ok: false,
			reason: 'DATE'
		});
		expect(checkResidentId(first + oracleIdCheck(first), TODAY).ok).toBe(true);
	});

	it('V12: rejects a birth date after today (by UTC calendar date) and accepts today', () => {
		const onDay = '11010520240615002';
		const dayAfter = '11010520240616002';
		expect(checkResidentId(onDay + oracleIdCheck(onDay), TODAY).ok).toBe(true);
		expect(checkResidentId(dayAfter + oracleIdCheck(dayAfter), TODAY)).toEqual({
			ok: false,
			reason: 'FUTURE_DATE'
		});
		// 23:30 UTC is already the next day in China, but the rule reads the UTC date.
		expect(
			checkResidentId(dayAfter + oracleIdCheck(dayAfter), new Date('2024-06-15T23:30:00Z')).ok
		).toBe(false);
		expect(
			checkResidentId(dayAfter + oracleIdCheck(dayAfter), new Date('2024-06-16T00:00:00Z')).ok
		).toBe(true);
	});

	it('V12: refuses an invalid today instead of guessing', () => {
		expect(() => checkResidentId('11010519491231002X', new Date('nope'))).toThrow(RangeError);
	});

	it('V13: rejects a wrong check character', () => {
		expect(checkResidentId('110105194912310021', TODAY)).toEqual({ ok: false, reason: 'CHECK' });
	});

	it('V13: for generated bodies the computed check character makes the number valid', () => {
		const r = rng(11643);
		for (let n = 0; n < 500; n++) {
			const body = randomIdBody(r);
			const check = oracleIdCheck(body);
			expect(residentIdCheckChar(body)).toBe(check);
			const result = checkResidentId(body + check, TODAY);
			expect(result, body + check).toMatchObject({ ok: true, normalised: body + check });
		}
	});

	it('V13: changing any single character of a valid number makes it invalid', () => {
		const r = rng(1999);
		for (let n = 0; n < 100; n++) {
			const body = randomIdBody(r);
			const id = body + oracleIdCheck(body);
			for (let i = 0; i < 18; i++) {
				for (const ch of i === 17 ? '0123456789X' : '0123456789') {
					if (ch === id[i]) continue;
					const changed = id.slice(0, i) + ch + id.slice(i + 1);
					expect(checkResidentId(changed, TODAY).ok, changed).toBe(false);
				}
			}
		}
	});

	it('V15: residentIdCheckChar refuses a body that is not 17 digits', () => {
		expect(residentIdCheckChar('1101051949123100')).toBeUndefined();
		expect(residentIdCheckChar('1101051949123100X')).toBeUndefined();
	});
});
