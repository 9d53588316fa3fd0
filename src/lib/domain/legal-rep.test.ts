import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from './canonical';
import {
	isNamedRepresentative,
	legalRepAuthorisationCurrent,
	legalRepChallenge,
	legalRepManifest,
	legalRepValidUntil,
	verificationCounts
} from './legal-rep';

const MANIFEST = legalRepManifest({
	applicationId: 'app-1',
	organisation: { name: '新建科技有限公司', idNumber: '91110108MA01C2DE3X' },
	applicantName: '王芳',
	representative: { name: '张三', idNumberMasked: '1101**********0027' },
	issuedAt: '2026-03-01T08:00:00.000Z',
	nonce: 'n1'
});

describe('the authorisation manifest (LR4)', () => {
	it('names the organisation, applicant, representative, purpose and a year of validity', () => {
		expect(MANIFEST).toMatchObject({
			type: 'sealpass/legal-rep-authorisation',
			organisation: { name: '新建科技有限公司', idNumber: '91110108MA01C2DE3X' },
			applicant: { name: '王芳' },
			representative: { name: '张三' },
			purpose: 'org-certification',
			validUntil: '2027-03-01T08:00:00.000Z'
		});
	});

	it('the challenge is the SHA-256 of the canonical JSON, so another nonce is another challenge', async () => {
		expect(await legalRepChallenge(MANIFEST)).toEqual(await sha256(canonicalJson(MANIFEST)));
		const other = { ...MANIFEST, nonce: 'n2' };
		expect(await legalRepChallenge(other)).not.toEqual(await legalRepChallenge(MANIFEST));
	});
});

describe('validity (LR5)', () => {
	it('one calendar year; 29 February rolls to 1 March', () => {
		expect(legalRepValidUntil('2028-02-29T12:00:00.000Z')).toBe('2029-03-01T12:00:00.000Z');
	});

	it('counts until validUntil, not at or after it; unconfirmed never counts', () => {
		const until = '2027-03-01T08:00:00.000Z';
		expect(legalRepAuthorisationCurrent(until, '2027-03-01T07:59:59.999Z')).toBe(true);
		expect(legalRepAuthorisationCurrent(until, until)).toBe(false);
		expect(legalRepAuthorisationCurrent(null, '2026-03-01T08:00:00.000Z')).toBe(false);
	});

	it('an expired authorisation is no verification; other methods are not affected', () => {
		const later = '2027-03-02T00:00:00.000Z';
		const verifiedAt = '2026-03-01T08:00:00.000Z';
		const until = '2027-03-01T08:00:00.000Z';
		expect(
			verificationCounts({ method: 'legal_rep', verifiedAt, repExpiresAt: until }, later)
		).toBe(false);
		expect(
			verificationCounts({ method: 'legal_rep', verifiedAt, repExpiresAt: until }, verifiedAt)
		).toBe(true);
		expect(verificationCounts({ method: 'letter', verifiedAt, repExpiresAt: null }, later)).toBe(
			true
		);
		expect(
			verificationCounts({ method: 'legal_rep', verifiedAt: null, repExpiresAt: until }, verifiedAt)
		).toBe(false);
	});
});

describe('who the representative is (LR3)', () => {
	const application = { representative: '张三', idHash: 'h1' };
	it('needs both the number hash and the name; full-width and spacing are folded', () => {
		expect(isNamedRepresentative(application, { realName: ' 张三 ', idHash: 'h1' })).toBe(true);
		expect(
			isNamedRepresentative(
				{ representative: 'ＬＩ Ｌｅｉ', idHash: 'h1' },
				{ realName: 'LI  Lei', idHash: 'h1' }
			)
		).toBe(true);
		expect(isNamedRepresentative(application, { realName: '张三', idHash: 'h2' })).toBe(false);
		expect(isNamedRepresentative(application, { realName: '李四', idHash: 'h1' })).toBe(false);
		expect(isNamedRepresentative(application, { realName: null, idHash: null })).toBe(false);
	});
});
