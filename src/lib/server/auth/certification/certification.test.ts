import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	insertOrgs,
	insertUsers,
	openTestServer,
	type TestServer
} from '../../../../../tests/support/test-server';
import type { User } from '../../db/schema';
import { CERTIFICATION_CONSENT_VERSION } from '$lib/domain/personal-certification';
import { residentIdCheckChar } from '$lib/domain/validators';
import { loadConfig } from '../../platform/config';
import { certificationOptions, certify, recordConsent } from './certify';
import { identityVerifierFor, simulatedVerifier, SIMULATED_MISMATCH_NAME } from './verifier';
import type { IdentityVerifier } from './verifier';

const ID = '11010519491231002' + residentIdCheckChar('11010519491231002');

let server: TestServer;
let user: User;

beforeEach(async () => {
	server = await openTestServer('certification');
	const at = server.now().toISOString();
	await insertOrgs(server.db, at);
	user = (await insertUsers(server.db, at, [{ id: 'u-li' }]))[0]!;
});
afterEach(async () => server.close());

const reload = () =>
	server.db.selectFrom('users').selectAll().where('id', '=', 'u-li').executeTakeFirstOrThrow();

async function agree(): Promise<User> {
	const agreed = await recordConsent(server, user, CERTIFICATION_CONSENT_VERSION);
	expect(agreed.ok).toBe(true);
	return reload();
}

async function auditKinds(): Promise<{ kind: string; data: string }[]> {
	return server.db.selectFrom('audit_log').select(['kind', 'data']).orderBy('seq').execute();
}

describe('consent (PC7)', () => {
	it('refuses certification before consent, and stores nothing', async () => {
		const refused = await certify({ ...server, verifier: simulatedVerifier }, user, {
			documentType: 'resident-id',
			realName: '李四',
			idNumber: ID
		});
		expect(refused).toMatchObject({ ok: false, code: 'CONSENT_REQUIRED' });
		const row = await reload();
		expect(row.id_number_hash).toBeNull();
		expect(row.cert_level).toBe('self-declared');
	});

	it('records the version and time, audited; an old version is refused', async () => {
		expect(await recordConsent(server, user, '2020-01-01')).toMatchObject({
			ok: false,
			code: 'CONSENT_REQUIRED',
			details: { current: CERTIFICATION_CONSENT_VERSION }
		});
		const agreed = await recordConsent(server, user, CERTIFICATION_CONSENT_VERSION);
		expect(agreed).toMatchObject({
			ok: true,
			profile: {
				consent: { version: CERTIFICATION_CONSENT_VERSION, at: server.now().toISOString() }
			}
		});
		expect((await auditKinds()).map((e) => e.kind)).toEqual(['certification.consented']);
	});
});

describe('certification levels (PC5, PC6, PC9)', () => {
	it('a valid number without a provider method is checksum-valid, stored masked and hashed', async () => {
		const agreed = await agree();
		const result = await certify({ ...server, verifier: null }, agreed, {
			documentType: 'resident-id',
			realName: ' 李四 ',
			idNumber: ID
		});
		expect(result).toMatchObject({
			ok: true,
			profile: {
				realName: '李四',
				idNumberMasked: `1101**********${ID.slice(-4)}`,
				certification: {
					level: 'checksum-valid',
					method: 'document-checksum',
					provider: null,
					simulated: false
				}
			}
		});
		const row = await reload();
		expect(JSON.stringify(row)).not.toContain(ID);
		expect(row.id_number_hash).toMatch(/^[0-9a-f]{64}$/);
	});

	it('the simulated provider reaches provider-verified, labelled simulated; the number is in no audit row', async () => {
		const agreed = await agree();
		const result = await certify({ ...server, verifier: simulatedVerifier }, agreed, {
			documentType: 'resident-id',
			realName: '李四',
			idNumber: ID,
			method: 'carrier-three-factor',
			phone: '13800138000'
		});
		expect(result).toMatchObject({
			ok: true,
			profile: {
				certification: {
					level: 'provider-verified',
					method: 'carrier-three-factor',
					provider: 'simulated',
					simulated: true
				}
			}
		});
		const row = await reload();
		expect(row.cert_reference).toMatch(/^sim-/);
		const audit = await auditKinds();
		expect(audit.map((e) => e.kind)).toEqual([
			'certification.consented',
			'certification.certified'
		]);
		expect(JSON.parse(audit[1]!.data)).toMatchObject({
			level: 'provider-verified',
			provider: 'simulated',
			reference: row.cert_reference
		});
		for (const e of audit) expect(e.data).not.toContain(ID.slice(6, 14));
	});

	it('a provider mismatch is refused, audited, and leaves the person checksum-valid', async () => {
		const agreed = await agree();
		const result = await certify({ ...server, verifier: simulatedVerifier }, agreed, {
			documentType: 'resident-id',
			realName: SIMULATED_MISMATCH_NAME,
			idNumber: ID,
			method: 'face-match'
		});
		expect(result).toMatchObject({
			ok: false,
			code: 'CERTIFICATION_FAILED',
			details: { reason: 'MISMATCH', level: 'checksum-valid' }
		});
		expect((await reload()).cert_level).toBe('checksum-valid');
		expect((await auditKinds()).map((e) => e.kind)).toContain('certification.failed');
	});

	it('a provider that is down leaves the person as they were (PC5)', async () => {
		const down: IdentityVerifier = {
			provider: 'acme-id',
			methods: ['face-match'],
			verify: async () => ({ ok: false, reason: 'UNAVAILABLE', reference: null })
		};
		const agreed = await agree();
		const result = await certify({ ...server, verifier: down }, agreed, {
			documentType: 'passport',
			country: 'CHN',
			realName: '李四',
			idNumber: 'E12345678',
			method: 'face-match'
		});
		expect(result).toMatchObject({ ok: false, code: 'CERTIFICATION_FAILED' });
		const row = await reload();
		expect(row.cert_level).toBe('checksum-valid');
		expect(row.cert_document_type).toBe('passport');
		expect(row.id_number_masked).toBe('CHN ******678');
	});

	it('refuses a provider method the server has not, and a method missing its factor', async () => {
		const agreed = await agree();
		const input = { documentType: 'resident-id', realName: '李四', idNumber: ID } as const;
		expect(
			await certify({ ...server, verifier: null }, agreed, { ...input, method: 'face-match' })
		).toMatchObject({ ok: false, code: 'CERTIFICATION_UNREACHABLE' });
		expect(
			await certify({ ...server, verifier: simulatedVerifier }, agreed, {
				...input,
				method: 'bank-four-factor',
				phone: '13800138000'
			})
		).toMatchObject({ ok: false, code: 'BAD_REQUEST', details: { field: 'bankCard' } });
		expect((await reload()).cert_level).toBe('self-declared');
	});

	it('refuses an invalid number with the validator reason (PC1–PC3)', async () => {
		const agreed = await agree();
		const permit = '81000019900101001' + residentIdCheckChar('81000019900101001');
		expect(
			await certify({ ...server, verifier: null }, agreed, {
				documentType: 'resident-id',
				realName: '李四',
				idNumber: permit
			})
		).toMatchObject({ ok: false, code: 'ID_NUMBER_INVALID', details: { reason: 'REGION' } });
		expect(
			await certify({ ...server, verifier: null }, agreed, {
				documentType: 'hmt-residence-permit',
				realName: '李四',
				idNumber: permit
			})
		).toMatchObject({
			ok: true,
			profile: { certification: { documentType: 'hmt-residence-permit' } }
		});
	});
});

describe('configuration (PC6, PC8)', () => {
	it('development defaults to the simulated adapter, production to none', () => {
		expect(loadConfig({}).identityVerifier).toBe('simulated');
		expect(loadConfig({ NODE_ENV: 'production' }).identityVerifier).toBe('none');
		expect(() => loadConfig({ NODE_ENV: 'production', IDENTITY_VERIFIER: 'simulated' })).toThrow(
			/refused when NODE_ENV=production/
		);
		expect(
			loadConfig({
				NODE_ENV: 'production',
				IDENTITY_VERIFIER: 'simulated',
				IDENTITY_VERIFIER_ALLOW_SIMULATED: '1'
			}).identityVerifier
		).toBe('simulated');
		expect(() => loadConfig({ IDENTITY_VERIFIER: 'acme' })).toThrow(/no adapter named "acme"/);
	});

	it('without a verifier the offer stops at checksum-valid', () => {
		expect(certificationOptions(identityVerifierFor('none'))).toEqual({
			consentVersion: CERTIFICATION_CONSENT_VERSION,
			highestLevel: 'checksum-valid',
			methods: [],
			simulated: false
		});
		expect(certificationOptions(identityVerifierFor('simulated'))).toMatchObject({
			highestLevel: 'provider-verified',
			simulated: true
		});
	});
});
