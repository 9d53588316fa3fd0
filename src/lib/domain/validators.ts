/**
 * Identity-number checks for certification: the unified social credit code of an organisation
 * (统一社会信用代码, GB 32100-2015) and the resident ID number of a person (居民身份证号码,
 * GB 11643-1999). Pure: "today" is passed in, never read from a clock.
 */

/**
 * The 31 characters a USCC may use. I, O, S, V and Z are left out so that a code read aloud or
 * copied by hand cannot confuse them with 1, 0, 5, U and 2; a character's value is its index here.
 */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weight of positions 1..17: 3^(i−1) mod 31, written out so a reader can check it against the standard. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Positions 1–2 of a USCC: registration authority then organisation category (GB 32100 annex A).
 * A code outside this list was not issued by any authority, so it is refused rather than reviewed.
 */
export const USCC_CATEGORIES: readonly string[] = [
	'11',
	'12',
	'13',
	'19',
	'21',
	'29',
	'31',
	'32',
	'33',
	'34',
	'35',
	'39',
	'41',
	'49',
	'51',
	'52',
	'53',
	'59',
	'61',
	'62',
	'69',
	'71',
	'72',
	'79',
	'81',
	'89',
	'91',
	'92',
	'93',
	'A1',
	'A9',
	'N1',
	'N2',
	'N3',
	'N9',
	'Y1'
];

/** Why a USCC is not accepted as it stands; stable codes that clients key their messages on. */
export type UsccProblem = 'LENGTH' | 'CHARSET' | 'CATEGORY' | 'REGION' | 'CHECK';

export type UsccResult =
	| { status: 'valid'; normalised: string; reason?: undefined }
	/** Only the check character is wrong: legal for some early pilot-region codes, so a human decides. */
	| { status: 'suspect'; normalised: string; reason: 'CHECK' }
	| { status: 'invalid'; normalised?: undefined; reason: Exclude<UsccProblem, 'CHECK'> };

/** Why a resident ID number is refused; stable codes that clients key their messages on. */
export type ResidentIdProblem = 'LENGTH' | 'FORMAT' | 'REGION' | 'DATE' | 'FUTURE_DATE' | 'CHECK';

export type ResidentIdResult =
	| { ok: true; normalised: string; birthDate: string; sex: 'male' | 'female' }
	| { ok: false; reason: ResidentIdProblem };

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK = '10X98765432';

/**
 * People type these numbers through Chinese IMEs (full-width digits), paste them with spaces for
 * readability, or in lower case; none of that changes the number, so it is folded away first.
 */
function normaliseIdInput(input: string): string {
	return input.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/**
 * The GB 32100 check character for a 17-character body, or undefined when the body is not 17
 * characters of the USCC set. Exported so a form can tell a user which character it expected.
 */
export function usccCheckChar(body: string): string | undefined {
	if (body.length !== 17) return undefined;
	let sum = 0;
	for (let i = 0; i < 17; i++) {
		const value = USCC_CHARSET.indexOf(body.charAt(i));
		if (value < 0) return undefined;
		sum += value * USCC_WEIGHTS[i]!;
	}
	return USCC_CHARSET.charAt((31 - (sum % 31)) % 31);
}

/**
 * Checks an organisation's USCC. A wrong check character alone yields `suspect`, not `invalid`,
 * because some codes issued in early pilot regions are legal yet fail it: those go
 * to manual review instead of locking a real organisation out.
 */
export function checkUscc(input: string): UsccResult {
	const code = normaliseIdInput(input);
	if (code.length !== 18) return { status: 'invalid', reason: 'LENGTH' };
	for (const ch of code) {
		if (!USCC_CHARSET.includes(ch)) return { status: 'invalid', reason: 'CHARSET' };
	}
	if (!USCC_CATEGORIES.includes(code.slice(0, 2))) {
		return { status: 'invalid', reason: 'CATEGORY' };
	}
	if (!/^\d{6}$/.test(code.slice(2, 8))) return { status: 'invalid', reason: 'REGION' };
	if (usccCheckChar(code.slice(0, 17)) !== code.charAt(17)) {
		return { status: 'suspect', normalised: code, reason: 'CHECK' };
	}
	return { status: 'valid', normalised: code };
}

/**
 * The GB 11643 check character for a 17-digit body, or undefined when the body is not 17 digits.
 * Exported so a form can tell a user which character it expected.
 */
export function residentIdCheckChar(body: string): string | undefined {
	if (!/^\d{17}$/.test(body)) return undefined;
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body.charAt(i)) * RESIDENT_ID_WEIGHTS[i]!;
	return RESIDENT_ID_CHECK.charAt(sum % 11);
}

/** Leap years by the Gregorian rule, which is the calendar the birth date is written in. */
function daysInMonth(year: number, month: number): number {
	if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Checks a person's 18-character resident ID number and reads the birth date and sex it encodes.
 * `today` is read by its UTC calendar date so the answer does not depend on the machine's time
 * zone; a birth date after that day is impossible, one before 1900 was never issued.
 */
export function checkResidentId(input: string, today: Date): ResidentIdResult {
	if (Number.isNaN(today.getTime())) throw new RangeError('checkResidentId: today is not a date');
	const id = normaliseIdInput(input);
	if (id.length !== 18) return { ok: false, reason: 'LENGTH' };
	if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'FORMAT' };
	if (!/^[1-8]/.test(id)) return { ok: false, reason: 'REGION' };

	const year = Number(id.slice(6, 10));
	const month = Number(id.slice(10, 12));
	const day = Number(id.slice(12, 14));
	if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
		return { ok: false, reason: 'DATE' };
	}
	const born = id.slice(6, 14);
	const todayKey =
		String(today.getUTCFullYear()).padStart(4, '0') +
		String(today.getUTCMonth() + 1).padStart(2, '0') +
		String(today.getUTCDate()).padStart(2, '0');
	if (born > todayKey) return { ok: false, reason: 'FUTURE_DATE' };

	if (residentIdCheckChar(id.slice(0, 17)) !== id.charAt(17)) return { ok: false, reason: 'CHECK' };

	return {
		ok: true,
		normalised: id,
		birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
		sex: Number(id.charAt(16)) % 2 === 1 ? 'male' : 'female'
	};
}
