import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '$lib/domain/canonical';
import {
	insertOrgs,
	insertUsers,
	openTestServer,
	type TestServer
} from '../../../../tests/support/test-server';
import type { User } from '../db/schema';
import { makeOperator } from '../../../../tests/support/invite-world';
import { verifyAuditLog } from '../audit';
import { authoriseSeal, createSeal } from '../seals';
import { usccCheckChar } from '$lib/domain/validators';
import { ORG_PRIVACY_VERSION, type OrgApplicationInput } from '$lib/domain/org-certification';
// Through the feature's index, as the endpoints call it.
import {
	SimulatedBank,
	applicationFile,
	applyForCertification,
	certificationQueue,
	certificationStatus,
	confirmDeposit,
	decideCertification,
	noteOrgPayment,
	startOrgDeposit,
	startPlatformDeposit,
	uploadLetter,
	type CertDeps
} from '.';

// A real SQLite file and blob store (tests/support/test-server.ts); names cite SPEC OC rules.

const BODY = '91110108MA01C2DE3';
const SUSPECT_USCC = BODY + (usccCheckChar(BODY) === '0' ? '1' : '0');
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const PDF = new TextEncoder().encode('%PDF-1.7\n% stamped letter\n');
const ACCOUNT = {
	bank: '中国工商银行',
	branch: '北京中关村支行',
	account: '6222 0200 1234 5678',
	cnaps: '102100099996'
};

let server: TestServer;
let bank: SimulatedBank;
let deps: CertDeps;
let admin: User;
let operator: User;

function application(over: Partial<OrgApplicationInput> = {}): OrgApplicationInput {
	return {
		orgType: 'enterprise',
		name: '新建科技有限公司',
		idNumber: SUSPECT_USCC,
		representative: '张三',
		privacyVersion: ORG_PRIVACY_VERSION,
		...over
	};
}

/** The amount the simulated bank last sent: what the applicant reads off their statement. */
async function lastSentAmount(): Promise<string> {
	const [latest] = await bank.ledger(server.db);
	const cents = latest!.amountCents;
	return `0.${String(cents).padStart(2, '0')}`;
}

async function wrongAmount(): Promise<string> {
	const right = await lastSentAmount();
	return right === '0.50' ? '0.51' : '0.50';
}

async function orgState(orgId = 'org-new') {
	return await server.db
		.selectFrom('organisations')
		.select(['cert_state', 'name'])
		.where('id', '=', orgId)
		.executeTakeFirstOrThrow();
}

beforeEach(async () => {
	server = await openTestServer('orgs');
	bank = new SimulatedBank(server.clock);
	deps = { db: server.db, blobs: server.blobs, clock: server.clock, bank };
	const at = server.now().toISOString();
	await insertOrgs(server.db, at, [
		{ id: 'org-platform' },
		{ id: 'org-new', name: '新建', certState: 'uncertified' }
	]);
	const users = await insertUsers(server.db, at, [
		{ id: 'operator', org: 'org-platform', role: 'admin' },
		{ id: 'new-admin', org: 'org-new', role: 'admin' }
	]);
	operator = users[0]!;
	admin = users[1]!;
	await makeOperator(server.db, 'operator', at);
});

afterEach(async () => {
	await server.close();
});

describe('applying', () => {
	it('OC1, OC2: a suspect USCC is accepted, flagged for review; licence, consent and audit are kept', async () => {
		const result = await applyForCertification(deps, admin, application(), PNG);
		expect(result).toMatchObject({ ok: true, usccVerdict: 'suspect' });
		const status = await certificationStatus(deps, admin);
		expect(status.state).toBe('pending');
		expect(status.application).toMatchObject({
			usccVerdict: 'suspect',
			idNumber: SUSPECT_USCC,
			licenceType: 'image/png',
			privacyVersion: ORG_PRIVACY_VERSION,
			privacyAgreedAt: server.now().toISOString()
		});
		expect(status.bankSimulated).toBe(true);
		const file = await applicationFile(
			server.db,
			server.blobs,
			operator,
			status.application!.id,
			'licence'
		);
		expect(file && Array.from(file.bytes)).toEqual(Array.from(PNG));
		const queue = await certificationQueue(server.db, server.now().toISOString());
		expect(queue.map((q) => [q.orgId, q.usccVerdict])).toEqual([['org-new', 'suspect']]);
		const audit = await server.db.selectFrom('audit_log').select('kind').execute();
		expect(audit.map((a) => a.kind)).toEqual(['org.cert-applied']);
		expect((await verifyAuditLog(server.db)).ok).toBe(true);
	});

	it('OC1, OC9: a wrong field or a licence that is not JPEG/PNG/PDF writes nothing', async () => {
		expect(
			await applyForCertification(deps, admin, application({ privacyVersion: null }), PNG)
		).toMatchObject({ ok: false, code: 'ORG_CERT_INVALID' });
		expect(
			await applyForCertification(deps, admin, application(), new TextEncoder().encode('MZ\x90'))
		).toMatchObject({ ok: false, code: 'LICENCE_INVALID' });
		expect((await orgState()).cert_state).toBe('uncertified');
		expect(await server.db.selectFrom('org_cert_applications').select('id').execute()).toEqual([]);
		expect(await server.db.selectFrom('blobs').select('sha256').execute()).toEqual([]);
	});

	it('OC3: a pending organisation cannot apply again; another organisation cannot see its licence', async () => {
		await applyForCertification(deps, admin, application(), PNG);
		expect(await applyForCertification(deps, admin, application(), PNG)).toMatchObject({
			code: 'CERT_STATE'
		});
		const [stranger] = await insertUsers(server.db, server.now().toISOString(), [
			{ id: 'stranger', org: 'org-platform', role: 'admin' }
		]);
		const id = (await certificationStatus(deps, admin)).application!.id;
		expect(await applicationFile(server.db, server.blobs, stranger!, id, 'licence')).toBeNull();
	});
});

describe('对公打款, platform pays', () => {
	beforeEach(async () => {
		await applyForCertification(deps, admin, application(), PNG);
	});

	it('OC6, OC7: a wrong amount counts down, the right one verifies; only a hash is stored', async () => {
		expect(await startPlatformDeposit(deps, admin, ACCOUNT)).toMatchObject({ ok: true });
		const [sent] = await bank.ledger(server.db);
		expect(sent).toMatchObject({ direction: 'to_org', account: '6222020012345678' });
		expect(sent!.amountCents).toBeGreaterThanOrEqual(1);
		expect(sent!.amountCents).toBeLessThanOrEqual(99);
		const row = await server.db
			.selectFrom('org_cert_applications')
			.selectAll()
			.executeTakeFirstOrThrow();
		expect(JSON.stringify(row)).not.toContain(`"${sent!.amountCents}"`);
		expect(row.deposit_hash).toMatch(/^[0-9a-f]{64}$/);
		// Keyed: trying all 99 amounts against the database row alone finds none of them.
		const unkeyed = await Promise.all(
			Array.from({ length: 99 }, (_, i) => sha256Hex(`sealpass-deposit:${row.id}:${i + 1}`))
		);
		expect(unkeyed).not.toContain(row.deposit_hash);

		expect(await confirmDeposit(deps, admin, await wrongAmount())).toMatchObject({
			code: 'DEPOSIT_WRONG',
			details: { triesLeft: 2 }
		});
		expect(await confirmDeposit(deps, admin, await lastSentAmount())).toEqual({ ok: true });
		const status = await certificationStatus(deps, admin);
		expect(status.application?.deposit?.accountMasked).toBe('•••• 5678');
		expect(status.application?.verifiedAt).toBe(server.now().toISOString());
		const steps = await server.db
			.selectFrom('audit_log')
			.select('data')
			.where('kind', '=', 'org.cert-verification')
			.orderBy('seq')
			.execute();
		expect(steps.map((s) => JSON.parse(s.data).step)).toEqual(['sent', 'wrong', 'confirmed']);
	});

	it('OC6: the third wrong amount locks; a new transfer starts over', async () => {
		await startPlatformDeposit(deps, admin, ACCOUNT);
		const wrong = await wrongAmount();
		await confirmDeposit(deps, admin, wrong);
		await confirmDeposit(deps, admin, wrong);
		expect(await confirmDeposit(deps, admin, wrong)).toMatchObject({ code: 'DEPOSIT_LOCKED' });
		expect(await confirmDeposit(deps, admin, await lastSentAmount())).toMatchObject({
			code: 'DEPOSIT_LOCKED'
		});
		server.setNow(new Date(server.now().getTime() + 60_000));
		await startPlatformDeposit(deps, admin, ACCOUNT);
		expect(await confirmDeposit(deps, admin, await lastSentAmount())).toEqual({ ok: true });
	});

	it('OC6: after 7 days even the right amount is refused', async () => {
		await startPlatformDeposit(deps, admin, ACCOUNT);
		server.setNow(new Date(server.now().getTime() + 7 * 86_400_000 + 1000));
		expect(await confirmDeposit(deps, admin, await lastSentAmount())).toMatchObject({
			code: 'DEPOSIT_EXPIRED'
		});
	});

	it('OC7: a malformed account sends nothing', async () => {
		expect(await startPlatformDeposit(deps, admin, { ...ACCOUNT, cnaps: '123' })).toMatchObject({
			code: 'BANK_DETAILS_INVALID'
		});
		expect(await bank.ledger(server.db)).toEqual([]);
	});
});

describe('review and the seal gate', () => {
	it('OC4, OC5: no seal before approval; approval needs evidence; then seals can be made', async () => {
		const sealDeps = { db: server.db, blobs: server.blobs, clock: server.clock };
		const spec = { shape: 'round' as const, orgName: '新建科技有限公司' };
		expect(await createSeal(sealDeps, admin, { name: '合同专用章', spec })).toMatchObject({
			ok: false,
			code: 'ORG_NOT_CERTIFIED',
			details: { state: 'uncertified' }
		});
		await applyForCertification(deps, admin, application(), PNG);
		const id = (await certificationStatus(deps, admin)).application!.id;
		expect(await decideCertification(deps, operator, id, { decision: 'approve' })).toMatchObject({
			code: 'CERT_STATE',
			details: { problem: 'NOT_VERIFIED' }
		});
		// Only the operator decides, even an admin of the applying organisation cannot.
		await startPlatformDeposit(deps, admin, ACCOUNT);
		await confirmDeposit(deps, admin, await lastSentAmount());
		expect(await decideCertification(deps, admin, id, { decision: 'approve' })).toMatchObject({
			code: 'FORBIDDEN'
		});
		expect(await decideCertification(deps, operator, id, { decision: 'approve' })).toEqual({
			ok: true
		});
		expect(await orgState()).toEqual({ cert_state: 'certified', name: '新建科技有限公司' });
		const made = await createSeal(sealDeps, admin, { name: '合同专用章', spec });
		expect(made.ok).toBe(true);
		if (made.ok) {
			expect(await authoriseSeal(sealDeps, admin, made.id, admin.id)).toEqual({ ok: true });
		}
		expect(await certificationQueue(server.db, server.now().toISOString())).toEqual([]);
	});

	it('OC3, OC8: a rejected organisation re-applies; a payment counts only with its remark code', async () => {
		await applyForCertification(deps, admin, application(), PNG);
		const first = (await certificationStatus(deps, admin)).application!.id;
		await uploadLetter(deps, admin, PDF);
		expect(
			await decideCertification(deps, operator, first, { decision: 'reject', reason: ' ' })
		).toMatchObject({ code: 'REASON_INVALID' });
		expect(
			await decideCertification(deps, operator, first, {
				decision: 'reject',
				reason: '授权书未盖章'
			})
		).toEqual({ ok: true });
		const rejected = await certificationStatus(deps, admin);
		expect(rejected.state).toBe('rejected');
		expect(rejected.application?.rejectReason).toBe('授权书未盖章');

		await applyForCertification(deps, admin, application(), PDF);
		const started = await startOrgDeposit(deps, admin);
		expect(started.ok).toBe(true);
		const remark = started.ok ? started.remarkCode : '';
		await bank.receive(server.db, { account: '1', accountName: 'x' }, 1, 'SPWRONGCODE');
		expect(await noteOrgPayment(deps, 'SPWRONGCODE')).toBe(false);
		expect(await noteOrgPayment(deps, remark.toLowerCase())).toBe(true);
		const second = (await certificationStatus(deps, admin)).application!;
		expect(second.id).not.toBe(first);
		expect(second.paymentReceivedAt).toBe(server.now().toISOString());
		// The old, rejected application is history: it cannot be approved now.
		expect(await decideCertification(deps, operator, first, { decision: 'approve' })).toMatchObject(
			{
				code: 'CERT_STATE'
			}
		);
		expect(await decideCertification(deps, operator, second.id, { decision: 'approve' })).toEqual({
			ok: true
		});
		expect((await orgState()).cert_state).toBe('certified');
		expect((await verifyAuditLog(server.db)).ok).toBe(true);
	});
});
