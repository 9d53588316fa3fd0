import { describe, expect, it } from 'vitest';
import {
	checkDocument,
	checkPassport,
	describeCertification,
	highestReachable,
	maskDocumentNumber,
	meetsLevel,
	SIMULATED_PROVIDER
} from './personal-certification';
import { residentIdCheckChar } from './validators';

const today = new Date('2026-12-04T00:00:00Z');
/** A GB 11643 number with the right check character for a 17-digit body. */
const withCheck = (body: string) => body + residentIdCheckChar(body)!;

describe('document numbers (PC1–PC3)', () => {
	it('PC1: a resident ID passes as resident-id, a permit number does not', () => {
		const id = withCheck('11010519491231002');
		expect(checkDocument('resident-id', id, today)).toEqual({
			ok: true,
			type: 'resident-id',
			normalised: id
		});
		expect(checkDocument('resident-id', withCheck('81000019900101001'), today)).toEqual({
			ok: false,
			reason: 'REGION'
		});
		expect(checkDocument('resident-id', id.slice(0, 17) + 'Z', today)).toMatchObject({
			ok: false
		});
	});

	it('PC2: 810000/820000/830000 permits are checked as GB 11643 numbers', () => {
		for (const prefix of ['810000', '820000', '830000']) {
			const permit = withCheck(`${prefix}19900101001`);
			expect(checkDocument('hmt-residence-permit', permit, today)).toMatchObject({ ok: true });
			const wrong = permit.slice(0, 17) + (permit.endsWith('0') ? '1' : '0');
			expect(checkDocument('hmt-residence-permit', wrong, today)).toEqual({
				ok: false,
				reason: 'CHECK'
			});
		}
		expect(checkDocument('hmt-residence-permit', withCheck('11010519491231002'), today)).toEqual({
			ok: false,
			reason: 'REGION'
		});
		expect(checkDocument('hmt-residence-permit', '8100001990', today)).toEqual({
			ok: false,
			reason: 'LENGTH'
		});
	});

	it('PC3: Chinese passports are E/G + 8 digits or E + letter + 7 digits', () => {
		for (const ok of ['E12345678', 'G12345678', 'EA1234567', ' e12345678 ']) {
			expect(checkPassport('CHN', ok)).toMatchObject({ ok: true, type: 'passport' });
		}
		expect(checkPassport('chn', 'g12345678')).toEqual({
			ok: true,
			type: 'passport',
			normalised: 'CHN:G12345678'
		});
		for (const bad of ['A12345678', 'EI1234567', 'EO1234567', 'G1234567X', 'E1234567']) {
			expect(checkPassport('CHN', bad)).toEqual({ ok: false, reason: 'FORMAT' });
		}
	});

	it('PC3: other countries take 5–9 letters and digits with at least one digit', () => {
		expect(checkPassport('USA', '548123456')).toMatchObject({ ok: true });
		expect(checkPassport('GBR', 'AB12345')).toMatchObject({ ok: true });
		expect(checkPassport('DEU', 'ABCDEFGH')).toEqual({ ok: false, reason: 'FORMAT' });
		expect(checkPassport('DEU', 'AB-12345')).toEqual({ ok: false, reason: 'FORMAT' });
		expect(checkPassport('DEU', 'A123')).toEqual({ ok: false, reason: 'LENGTH' });
		expect(checkPassport('DEU', 'A1234567890')).toEqual({ ok: false, reason: 'LENGTH' });
		expect(checkPassport('DE', 'C01X00T47')).toEqual({ ok: false, reason: 'COUNTRY' });
		expect(checkDocument('passport', 'C01X00T47', today, 'DEU')).toMatchObject({ ok: true });
	});

	it('masks keep only enough for the owner to recognise the number', () => {
		expect(maskDocumentNumber('11010519491231002X')).toBe('1101**********002X');
		expect(maskDocumentNumber('CHN:E12345678')).toBe('CHN ******678');
	});
});

describe('levels (PC4, PC8)', () => {
	it('PC4: a requirement is met by the same or a higher level', () => {
		expect(meetsLevel('self-declared', null)).toBe(true);
		expect(meetsLevel('self-declared', 'checksum-valid')).toBe(false);
		expect(meetsLevel('checksum-valid', 'checksum-valid')).toBe(true);
		expect(meetsLevel('checksum-valid', 'provider-verified')).toBe(false);
		expect(meetsLevel('provider-verified', 'checksum-valid')).toBe(true);
	});

	it('PC8: without a verifier nobody can be provider-verified', () => {
		expect(highestReachable(false)).toBe('checksum-valid');
		expect(highestReachable(true)).toBe('provider-verified');
	});
});

describe('certificate line (PC6, PC9)', () => {
	it('names the simulated provider in both languages', () => {
		const line = describeCertification({
			level: 'provider-verified',
			method: 'face-match',
			provider: SIMULATED_PROVIDER
		});
		expect(line).toContain('模拟');
		expect(line).toContain('SIMULATED');
	});

	it('names a real provider and the method', () => {
		const line = describeCertification({
			level: 'provider-verified',
			method: 'carrier-three-factor',
			provider: 'acme-id'
		});
		expect(line).toContain('运营商三要素');
		expect(line).toContain('acme-id');
		expect(line).not.toContain('SIMULATED');
	});

	it('keeps the existing wording for the lower levels', () => {
		expect(
			describeCertification({
				level: 'checksum-valid',
				method: 'document-checksum',
				provider: null
			})
		).toBe('证件号码校验通过 / ID number checksum valid');
		expect(
			describeCertification({ level: 'self-declared', method: 'self-declared', provider: null })
		).toBe('自行填写 / self-declared');
	});
});
