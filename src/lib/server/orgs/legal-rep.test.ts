import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	addPasskey,
	insertOrgs,
	insertUsers,
	openTestServer,
	ORIGIN,
	RP_ID,
	type TestServer
} from '../../../../tests/support/test-server';
import type { FakeAuthenticator } from '../../../../tests/support/fake-authenticator';
import { inviteWorld, linkIn, makeOperator } from '../../../../tests/support/invite-world';
import type { User } from '../db/schema';
import type { NotifyMessage } from '../platform/notify';
import { verifyAuditLog } from '../audit';
import { certify, recordConsent } from '../auth';
import { redeemLink } from '../recovery';
import { residentIdCheckChar, usccCheckChar } from '$lib/domain/validators';
import { ORG_PRIVACY_VERSION } from '$lib/domain/org-certification';
import { CERTIFICATION_CONSENT_VERSION } from '$lib/domain/personal-certification';
import { legalRepChallenge, legalRepManifest } from '$lib/domain/legal-rep';
// Through the feature's index, as the endpoints call it.
import {
	SimulatedBank,
	applyForCertification,
	certificationQueue,
	certificationStatus,
	certifyAsLegalRep,
	confirmLegalRep,
	decideCertification,
	issueLegalRepManifest,
	legalRepRequest,
	noteOrgPayment,
	requestLegalRep,
	startOrgDeposit,
	type LegalRepDeps
} from '.';

// A real database (SQLite, or PostgreSQL with TEST_DATABASE_URL); names cite SPEC LR rules.

const USCC_BODY = '91110108MA01C2DE3';
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const REP_ID = '11010519491231002' + residentIdCheckChar('11010519491231002');
const OTHER_ID = '11010519800101003' + residentIdCheckChar('11010519800101003');

let server: TestServer;
let deps: LegalRepDeps;
let sent: NotifyMessage[];
let admin: User;
let operator: User;

beforeEach(async () => {
	server = await openTestServer('legal-rep');
	const at = server.now().toISOString();
	await insertOrgs(server.db, at, [
		{ id: 'org-platform' },
		{ id: 'org-new', name: '新建', certState: 'uncertified' }
	]);
	[operator, admin] = (await insertUsers(server.db, at, [
		{ id: 'operator', org: 'org-platform', role: 'admin' },
		{ id: 'new-admin', org: 'org-new', role: 'admin', displayName: '王芳' }
	])) as [User, User];
	await makeOperator(server.db, 'operator', at);
	({ deps, sent } = inviteWorld(server.db, server.clock));
	const applied = await applyForCertification(
		{ ...deps, blobs: server.blobs, bank: new SimulatedBank(server.clock) },
		admin,
		{
			orgType: 'enterprise',
			name: '新建科技有限公司',
			idNumber: USCC_BODY + usccCheckChar(USCC_BODY),
			representative: '张三',
			privacyVersion: ORG_PRIVACY_VERSION
		},
		PNG
	);
	expect(applied.ok).toBe(true);
});

afterEach(async () => {
	await server.close();
});

const request = (over: { contact?: string; idNumber?: string } = {}) =>
	requestLegalRep(deps, admin, {
		contact: over.contact ?? '13800138000',
		documentType: 'resident-id',
		idNumber: over.idNumber ?? REP_ID
	});

const application = () =>
	server.db.selectFrom('org_cert_applications').selectAll().executeTakeFirstOrThrow();

const user = (id: string) =>
	server.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function steps(): Promise<string[]> {
	const rows = await server.db
		.selectFrom('audit_log')
		.select(['kind', 'data'])
		.where('kind', '=', 'org.cert-verification')
		.orderBy('seq')
		.execute();
	return rows.map((r) => (JSON.parse(r.data) as { step: string }).step);
}

/** The representative opens the newest message's link and types its code. */
async function openLink() {
	const { token, code } = linkIn(sent.at(-1)!.body);
	const redeemed = await redeemLink(deps, { token, code, ip: null });
	if (!redeemed.ok) throw new Error(redeemed.code);
	return redeemed;
}

/** The representative, signed in: consents and certifies with `idNumber` (LR3). */
async function certifyRep(userId: string, idNumber = REP_ID, realName = '张三') {
	await recordConsent(deps, await user(userId), CERTIFICATION_CONSENT_VERSION);
	return certifyAsLegalRep({ ...deps, verifier: null }, await user(userId), {
		documentType: 'resident-id',
		realName,
		idNumber
	});
}

/** Up to the manifest: link opened, passkey, certified; returns the person and their key. */
async function identifiedRep(): Promise<{ rep: User; key: FakeAuthenticator }> {
	expect((await request()).ok).toBe(true);
	const { userId } = await openLink();
	const key = await addPasskey(server.db, userId, server.now().toISOString());
	expect((await certifyRep(userId)).ok).toBe(true);
	return { rep: await user(userId), key };
}

/** The representative's assertion over a fresh manifest, sent in `session`'s name (theirs unless said). */
async function confirmAs(rep: User, key: FakeAuthenticator, session: User = rep) {
	const issued = await issueLegalRepManifest(deps, rep);
	if (!issued.ok) throw new Error(issued.code);
	const assertion = await key.assert({
		challenge: await legalRepChallenge(issued.manifest),
		origin: ORIGIN,
		rpId: RP_ID,
		userHandle: rep.id
	});
	return { issued, result: await confirmLegalRep(deps, session, assertion) };
}

describe('the request (LR1, LR2)', () => {
	it('makes the representative a signer, sends link and code through the outbox, audited with the request', async () => {
		const result = await request({ contact: 'Zhang.San@Example.cn' });
		expect(result.ok).toBe(true);
		const row = await application();
		expect(row).toMatchObject({
			method: 'legal_rep',
			rep_contact: 'zhang.san@example.cn',
			rep_id_masked: `1101**********${REP_ID.slice(-4)}`,
			verified_at: null
		});
		expect(JSON.stringify(row)).not.toContain(REP_ID);
		const rep = await user(row.rep_user_id!);
		expect(rep).toMatchObject({ org_id: 'org-new', role: 'signer', display_name: '张三' });
		const invite = await server.db
			.selectFrom('invites')
			.selectAll()
			.where('id', '=', row.rep_invite_id!)
			.executeTakeFirstOrThrow();
		expect(invite).toMatchObject({ purpose: 'legal_rep', user_id: rep.id, keep_passkeys: 1 });
		const outbox = await server.db.selectFrom('notifications').selectAll().execute();
		expect(outbox).toHaveLength(1);
		expect(sent.at(-1)!.body).toContain('法定代表人认证');
		expect(await steps()).toEqual(['requested']);
		expect((await verifyAuditLog(server.db)).ok).toBe(true);
	});

	it('refuses a malformed number or contact and writes nothing', async () => {
		expect(await request({ idNumber: '110105194912310020' })).toMatchObject({
			ok: false,
			code: 'ID_NUMBER_INVALID'
		});
		expect(await request({ contact: 'not a contact' })).toMatchObject({
			ok: false,
			code: 'CONTACT_INVALID'
		});
		expect((await application()).method).toBeNull();
		expect(await server.db.selectFrom('invites').selectAll().execute()).toEqual([]);
	});

	it('links the member already certified with that number; a new request locks the old link', async () => {
		const [member] = await insertUsers(server.db, server.now().toISOString(), [
			{ id: 'zhang', org: 'org-new', displayName: '张总' }
		]);
		// Certified earlier on their own certification page.
		await recordConsent(deps, member!, CERTIFICATION_CONSENT_VERSION);
		await certify({ ...deps, verifier: null }, await user('zhang'), {
			documentType: 'resident-id',
			realName: '张三',
			idNumber: REP_ID
		});
		expect((await request()).ok).toBe(true);
		const first = await application();
		expect(first.rep_user_id).toBe('zhang');
		expect((await request({ contact: 'zhang@example.cn' })).ok).toBe(true);
		const old = await server.db
			.selectFrom('invites')
			.select('locked_at')
			.where('id', '=', first.rep_invite_id!)
			.executeTakeFirstOrThrow();
		expect(old.locked_at).not.toBeNull();
		const users = await server.db.selectFrom('users').select('id').execute();
		expect(users).toHaveLength(3);
	});
});

describe('the representative (LR3, LR4)', () => {
	it('LR3: a name or number not the application’s is refused, nothing stored; the right one certifies', async () => {
		expect((await request()).ok).toBe(true);
		const opened = await openLink();
		expect(opened.purpose).toBe('legal_rep');
		expect(await certifyRep(opened.userId, OTHER_ID)).toMatchObject({
			ok: false,
			code: 'LEGAL_REP_MISMATCH'
		});
		expect(await certifyRep(opened.userId, REP_ID, '张叁')).toMatchObject({
			ok: false,
			code: 'LEGAL_REP_MISMATCH'
		});
		const refused = await user(opened.userId);
		expect(refused.id_number_hash).toBeNull();
		expect(await legalRepRequest(server.db, refused)).toMatchObject({
			ok: true,
			identified: false
		});
		expect(await issueLegalRepManifest(deps, refused)).toMatchObject({
			code: 'LEGAL_REP_MISMATCH'
		});
		expect((await certifyRep(opened.userId)).ok).toBe(true);
		expect(await legalRepRequest(server.db, await user(opened.userId))).toMatchObject({
			ok: true,
			identified: true,
			organisation: { name: '新建科技有限公司' },
			applicantName: '王芳'
		});
		expect(await steps()).toEqual(['requested', 'opened', 'mismatch', 'mismatch']);
	});

	it('LR4: the passkey assertion over the manifest verifies the application, stored as evidence', async () => {
		const { rep, key } = await identifiedRep();
		const { issued, result } = await confirmAs(rep, key);
		expect(result).toMatchObject({ ok: true, validUntil: '2027-03-01T08:00:00.000Z' });
		const row = await application();
		expect(row).toMatchObject({
			rep_credential_id: key.credentialId,
			rep_confirmed_at: server.now().toISOString(),
			rep_expires_at: '2027-03-01T08:00:00.000Z',
			verified_at: server.now().toISOString()
		});
		expect(JSON.parse(row.rep_manifest!)).toEqual(issued.manifest);
		expect(JSON.parse(row.rep_assertion!).id).toBe(key.credentialId);
		expect(await steps()).toEqual(['requested', 'opened', 'issued', 'confirmed']);
		expect((await verifyAuditLog(server.db)).ok).toBe(true);
		// Done once: no new manifest, and the same assertion again is refused.
		expect(await issueLegalRepManifest(deps, rep)).toMatchObject({ code: 'CERT_STATE' });
		expect(await confirmLegalRep(deps, rep, JSON.parse(row.rep_assertion!) as never)).toMatchObject(
			{ ok: false, code: 'CERT_STATE' }
		);
	});

	it('LR4: an assertion over another manifest, or without user verification, is refused and nothing is stored', async () => {
		const { rep, key } = await identifiedRep();
		const issued = await issueLegalRepManifest(deps, rep);
		if (!issued.ok) throw new Error(issued.code);
		const forged = legalRepManifest({
			applicationId: issued.manifest.applicationId,
			organisation: issued.manifest.organisation,
			applicantName: '别人',
			representative: issued.manifest.representative,
			issuedAt: issued.manifest.issuedAt,
			nonce: issued.manifest.nonce
		});
		const over = (challenge: Uint8Array, uv = true) =>
			key.assert({ challenge, origin: ORIGIN, rpId: RP_ID, userHandle: rep.id, uv });
		expect(
			await confirmLegalRep(deps, rep, await over(await legalRepChallenge(forged)))
		).toMatchObject({ ok: false, code: 'PASSKEY_INVALID' });
		expect(
			await confirmLegalRep(deps, rep, await over(await legalRepChallenge(issued.manifest), false))
		).toMatchObject({ ok: false, code: 'UV_REQUIRED' });
		const row = await application();
		expect(row.verified_at).toBeNull();
		expect(row.rep_assertion).toBeNull();
	});
});

describe('only the person asked (LR2)', () => {
	it('another member, or a member of another organisation, finds no request and can do nothing with it', async () => {
		const { rep, key } = await identifiedRep();
		const at = server.now().toISOString();
		const others = await insertUsers(server.db, at, [
			{ id: 'colleague', org: 'org-new' },
			{ id: 'outsider', org: 'org-platform' }
		]);
		for (const other of others) {
			expect(await legalRepRequest(server.db, other)).toMatchObject({ code: 'NOT_FOUND' });
			expect(await issueLegalRepManifest(deps, other)).toMatchObject({ code: 'NOT_FOUND' });
			// Even the representative's own assertion, sent in another person's session.
			expect((await confirmAs(rep, key, other)).result).toMatchObject({ code: 'NOT_FOUND' });
		}
		expect((await application()).verified_at).toBeNull();
	});
});

describe('review (LR5, LR6)', () => {
	it('LR6: the queue shows who, when, the passkey and until when; the operator approves', async () => {
		const { rep, key } = await identifiedRep();
		await confirmAs(rep, key);
		const [item] = await certificationQueue(server.db, server.now().toISOString());
		expect(item!.legalRep).toEqual({
			contact: '13800138000',
			idNumberMasked: `1101**********${REP_ID.slice(-4)}`,
			name: '张三',
			confirmedAt: server.now().toISOString(),
			credentialShort: key.credentialId.slice(0, 8),
			validUntil: '2027-03-01T08:00:00.000Z',
			current: true
		});
		expect(await decideCertification(deps, operator, item!.id, { decision: 'approve' })).toEqual({
			ok: true
		});
		const status = await certificationStatus(
			{ ...deps, blobs: server.blobs, bank: new SimulatedBank(server.clock) },
			admin
		);
		expect(status.state).toBe('certified');
	});

	it('LR5: an authorisation a year old no longer counts: no approval, and a new request may go out', async () => {
		const { rep, key } = await identifiedRep();
		await confirmAs(rep, key);
		server.setNow(new Date('2027-03-01T08:00:00.000Z'));
		const [item] = await certificationQueue(server.db, server.now().toISOString());
		expect(item!.legalRep?.current).toBe(false);
		expect(
			await decideCertification(deps, operator, item!.id, { decision: 'approve' })
		).toMatchObject({ ok: false, code: 'CERT_STATE', details: { problem: 'NOT_VERIFIED' } });
		expect((await request()).ok).toBe(true);
		expect(await application()).toMatchObject({ verified_at: null, rep_confirmed_at: null });
	});

	it('LR5: once an authorisation has expired the applicant may choose another method, which counts only when done', async () => {
		const { rep, key } = await identifiedRep();
		await confirmAs(rep, key);
		server.setNow(new Date('2027-03-01T08:00:00.000Z'));
		const certDeps = { ...deps, blobs: server.blobs, bank: new SimulatedBank(server.clock) };
		const chosen = await startOrgDeposit(certDeps, admin);
		if (!chosen.ok) throw new Error(`${chosen.code}: ${chosen.message}`);
		// Choosing the method is not its evidence: the expired authorisation's time must not count.
		const [item] = await certificationQueue(server.db, server.now().toISOString());
		expect(item!.method).toBe('deposit_org');
		expect(
			await decideCertification(deps, operator, item!.id, { decision: 'approve' })
		).toMatchObject({ ok: false, code: 'CERT_STATE', details: { problem: 'NOT_VERIFIED' } });
		expect(await noteOrgPayment(certDeps, chosen.remarkCode)).toBe(true);
		expect(await decideCertification(deps, operator, item!.id, { decision: 'approve' })).toEqual({
			ok: true
		});
	});
});
