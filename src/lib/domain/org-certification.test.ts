import { describe, expect, it } from 'vitest';
import {
	certTransition,
	checkLicenceFile,
	DEPOSIT_MAX_TRIES,
	judgeDepositAnswer,
	LICENCE_MAX_BYTES,
	maySeal,
	ORG_PRIVACY_VERSION,
	ORG_TYPES,
	parseYuanToCents,
	validateBankAccount,
	validateOrgApplication,
	type OrgApplicationInput
} from './org-certification';
import { usccCheckChar } from './validators';

const BODY = '91110108MA01C2DE3';
const VALID_USCC = BODY + usccCheckChar(BODY)!;
const SUSPECT_USCC = BODY + (usccCheckChar(BODY) === '0' ? '1' : '0');

function input(over: Partial<OrgApplicationInput> = {}): OrgApplicationInput {
	return {
		orgType: 'enterprise',
		name: '示例科技有限公司',
		idNumber: VALID_USCC,
		representative: '张三',
		privacyVersion: ORG_PRIVACY_VERSION,
		...over
	};
}

describe('application fields per organisation type', () => {
	it('OC1: every mainland type needs name, USCC and representative; overseas a registration number and region', () => {
		for (const orgType of ORG_TYPES.filter((t) => t !== 'overseas')) {
			const result = validateOrgApplication(input({ orgType }));
			expect(result.ok, orgType).toBe(true);
		}
		const overseas = validateOrgApplication(
			input({ orgType: 'overseas', idNumber: 'cr-1234567', region: '' })
		);
		expect(overseas).toEqual({ ok: false, problems: [{ field: 'region', code: 'EMPTY' }] });
		const withRegion = validateOrgApplication(
			input({ orgType: 'overseas', idNumber: 'cr-1234567', region: '香港' })
		);
		expect(withRegion.ok && withRegion.application).toMatchObject({
			idNumber: 'CR-1234567',
			region: '香港',
			usccVerdict: 'not_applicable'
		});
	});

	it('OC1: unknown type, empty fields, a malformed USCC and no consent are all reported together', () => {
		const result = validateOrgApplication({
			orgType: 'company',
			name: ' ',
			idNumber: '123',
			representative: '',
			privacyVersion: null
		});
		expect(result.ok).toBe(false);
		expect(!result.ok && result.problems.map((p) => p.field).sort()).toEqual([
			'name',
			'orgType',
			'privacy',
			'representative'
		]);
		const badUscc = validateOrgApplication(input({ idNumber: '123' }));
		expect(!badUscc.ok && badUscc.problems).toEqual([{ field: 'idNumber', code: 'LENGTH' }]);
	});

	it('OC1: consent to an older version of the privacy terms is no consent', () => {
		const result = validateOrgApplication(input({ privacyVersion: '2020-01-01' }));
		expect(!result.ok && result.problems).toEqual([{ field: 'privacy', code: 'NOT_AGREED' }]);
	});

	it('OC2: a wrong check character is accepted as suspect (manual review), never refused', () => {
		const result = validateOrgApplication(input({ idNumber: SUSPECT_USCC.toLowerCase() }));
		expect(result.ok && result.application.usccVerdict).toBe('suspect');
		expect(result.ok && result.application.idNumber).toBe(SUSPECT_USCC);
		const valid = validateOrgApplication(input());
		expect(valid.ok && valid.application.usccVerdict).toBe('valid');
	});
});

describe('certification states', () => {
	it('OC3: apply → pending → approve → certified; certified is final', () => {
		const applied = certTransition('uncertified', { kind: 'apply' });
		expect(applied).toEqual({ ok: true, state: 'pending', reason: null });
		expect(certTransition('pending', { kind: 'approve' }, true)).toMatchObject({
			state: 'certified'
		});
		expect(certTransition('certified', { kind: 'apply' })).toEqual({ ok: false, code: 'STATE' });
		expect(certTransition('certified', { kind: 'reject', reason: 'x' })).toMatchObject({
			ok: false
		});
		expect(certTransition('uncertified', { kind: 'approve' }, true)).toMatchObject({ ok: false });
	});

	it('OC3: a rejection needs a reason; a rejected organisation may apply again', () => {
		expect(certTransition('pending', { kind: 'reject', reason: '  ' })).toEqual({
			ok: false,
			code: 'REASON_EMPTY'
		});
		expect(certTransition('pending', { kind: 'reject', reason: 'x'.repeat(201) })).toEqual({
			ok: false,
			code: 'REASON_TOO_LONG'
		});
		const rejected = certTransition('pending', { kind: 'reject', reason: ' 执照模糊 ' });
		expect(rejected).toEqual({ ok: true, state: 'rejected', reason: '执照模糊' });
		expect(certTransition('rejected', { kind: 'apply' })).toMatchObject({ state: 'pending' });
		expect(certTransition('pending', { kind: 'apply' })).toEqual({ ok: false, code: 'STATE' });
	});

	it('OC4: approval waits for the verification evidence', () => {
		expect(certTransition('pending', { kind: 'approve' }, false)).toEqual({
			ok: false,
			code: 'NOT_VERIFIED'
		});
	});

	it('OC5: only a certified organisation may seal', () => {
		expect(maySeal('certified')).toBe(true);
		for (const state of ['uncertified', 'pending', 'rejected'] as const) {
			expect(maySeal(state)).toBe(false);
		}
	});
});

describe('对公打款 amounts', () => {
	const sentAt = '2026-03-01T08:00:00.000Z';

	it('OC6: amounts are read as typed, in yuan with at most two decimals', () => {
		expect(parseYuanToCents('0.37')).toBe(37);
		expect(parseYuanToCents('０．３７')).toBe(37);
		expect(parseYuanToCents('.3')).toBe(30);
		expect(parseYuanToCents('¥0.05')).toBe(5);
		for (const bad of ['', '.', '0.371', 'abc', '-0.3']) expect(parseYuanToCents(bad)).toBeNull();
	});

	it('OC6: the right amount within 7 days passes; wrong ones count down to a lock', () => {
		const now = '2026-03-02T08:00:00.000Z';
		expect(judgeDepositAnswer({ sentAt, triesUsed: 0 }, now, true)).toEqual({ ok: true });
		expect(judgeDepositAnswer({ sentAt, triesUsed: 0 }, now, false)).toEqual({
			ok: false,
			code: 'WRONG',
			triesLeft: DEPOSIT_MAX_TRIES - 1,
			spendsTry: true
		});
		expect(judgeDepositAnswer({ sentAt, triesUsed: 2 }, now, false)).toEqual({
			ok: false,
			code: 'LOCKED',
			triesLeft: 0,
			spendsTry: true
		});
		// Once locked, even the right amount is refused, and no further try is counted.
		expect(judgeDepositAnswer({ sentAt, triesUsed: 3 }, now, true)).toMatchObject({
			code: 'LOCKED',
			spendsTry: false
		});
		expect(judgeDepositAnswer({ sentAt, triesUsed: 3 }, now, false)).toMatchObject({
			code: 'LOCKED',
			spendsTry: false
		});
	});

	it('OC6: after 7 days the right amount is refused as expired', () => {
		expect(
			judgeDepositAnswer({ sentAt, triesUsed: 0 }, '2026-03-08T08:00:00.001Z', true)
		).toMatchObject({ code: 'EXPIRED' });
		expect(judgeDepositAnswer({ sentAt, triesUsed: 0 }, '2026-03-08T08:00:00.000Z', true)).toEqual({
			ok: true
		});
	});

	it('OC7: account digits and a 12-digit CNAPS code are required', () => {
		expect(
			validateBankAccount({
				bank: '中国工商银行',
				branch: '北京分行',
				account: '6222 0200 1234 5678',
				cnaps: '102100099996'
			})
		).toEqual([]);
		expect(validateBankAccount({ bank: '', branch: 'x', account: '12ab', cnaps: '1021' })).toEqual([
			{ field: 'bank', code: 'EMPTY' },
			{ field: 'account', code: 'FORMAT' },
			{ field: 'cnaps', code: 'FORMAT' }
		]);
	});
});

describe('licence files', () => {
	const pad = (head: number[]) => Uint8Array.from([...head, 0, 0, 0, 0]);

	it('OC9: JPEG, PNG and PDF are recognised by their first bytes', () => {
		expect(checkLicenceFile(pad([0xff, 0xd8, 0xff, 0xe0]))).toEqual({
			ok: true,
			mediaType: 'image/jpeg'
		});
		expect(checkLicenceFile(pad([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({
			ok: true,
			mediaType: 'image/png'
		});
		expect(checkLicenceFile(new TextEncoder().encode('%PDF-1.7\n'))).toEqual({
			ok: true,
			mediaType: 'application/pdf'
		});
	});

	it('OC9: anything else, an empty file or one over 5 MB is refused', () => {
		expect(checkLicenceFile(new TextEncoder().encode('GIF89a....'))).toEqual({
			ok: false,
			code: 'TYPE'
		});
		expect(checkLicenceFile(new Uint8Array())).toEqual({ ok: false, code: 'EMPTY' });
		const big = new Uint8Array(LICENCE_MAX_BYTES + 1);
		big.set([0x25, 0x50, 0x44, 0x46, 0x2d]);
		expect(checkLicenceFile(big)).toEqual({ ok: false, code: 'TOO_LARGE' });
		expect(checkLicenceFile(big.subarray(0, LICENCE_MAX_BYTES)).ok).toBe(true);
	});
});
