import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { ingestSubmission, type IngestDeps } from './ingest';
import {
	acceptedManifests,
	contractDetail,
	listContracts,
	listInbox,
	loadEnvelope,
	notifyResent,
	notifyReturned,
	resendContract,
	RESENT_NOTICE_JOB,
	RETURNED_NOTICE_JOB,
	saveFields,
	notifyTurn,
	TURN_NOTICE_JOB
} from '../contracts';
import { findJob } from '../platform/jobs';
import { JobRunner } from '../platform/job-runner';
import { ConsoleNotifier, type Notifiers } from '../platform/notify';
import { manifestChallenge } from '$lib/domain/canonical';
import { placeOf, sampleEnvelope, sampleManifest } from '$lib/domain/fixtures';
import type { Manifest } from '$lib/domain/manifest';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import type { FakeAuthenticator } from '../../../../tests/support/fake-authenticator';
import { insertSeal } from '../../../../tests/support/seals';
import {
	DOC_HASH,
	grantSeal,
	insertContract,
	insertDocBlob,
	insertOrgs,
	insertUsers,
	openTestServer,
	ORIGIN,
	RP_ID,
	testImages,
	firstTicket,
	addPasskey,
	type TestServer
} from '../../../../tests/support/test-server';

// A contract's life after a 退回 over the real ingest (SQLite file, blob store, WebAuthn
// verification with software passkeys): the return closes it and tells the sender, the resend
// opens a new round, an old-round manifest is refused and the returner signs the new revision.

const ID = 'env-1';
const REASON = '第三条价格有误，请修改后重新发送';
let server: TestServer;
let open: OpenDatabase;
let deps: IngestDeps;
let alice: User;
let bob: User;
let admin: User;
let aliceKey: FakeAuthenticator;
let bobKey: FakeAuthenticator;
let sig: string;
let seal: string;
let images: Record<string, string>;
const messages: string[] = [];
const now = () => server.now();

beforeEach(async () => {
	server = await openTestServer('return-resend');
	({ open, deps } = server);
	({ sig, seal, images } = await testImages());
	const at = now().toISOString();
	const db = open.db;
	await insertOrgs(db, at);
	[alice, bob, admin] = (await insertUsers(db, at, [
		{ id: 'user-alice' },
		{ id: 'user-bob' },
		{ id: 'user-admin', role: 'admin', displayName: 'Sender Admin' }
	])) as [User, User, User];
	aliceKey = await addPasskey(db, alice.id, at);
	bobKey = await addPasskey(db, bob.id, at);
	await insertDocBlob(db, at);
	await insertContract(db, {
		id: ID,
		title: '采购合同 Supply',
		at,
		envelope: sampleEnvelope({ docHash: DOC_HASH }),
		signers: { alice: alice.id, bob: bob.id }
	});
	await db.updateTable('envelopes').set({ created_by: admin.id }).execute();
	await insertSeal(db, {
		id: 'seal-contract',
		orgId: 'org',
		createdBy: alice.id,
		image: seal,
		at: '2026-01-01T00:00:00.000Z'
	});
	await grantSeal(db, { id: 'auth-1', sealId: 'seal-contract', userId: alice.id, at });
	messages.length = 0;
});

afterEach(async () => {
	await server.close();
});

async function aliceSigns(revision: number): Promise<Manifest> {
	const ticket = await firstTicket(server, alice, aliceKey);
	return sampleManifest({
		docHash: DOC_HASH,
		revision,
		credentialId: aliceKey.credentialId,
		ticket: { id: ticket.id, nonce: ticket.nonce },
		fills: [
			{ ...placeOf('f-sig-a'), kind: 'signature', image: sig },
			{
				...placeOf('f-seal-a'),
				kind: 'seal',
				sealId: 'seal-contract',
				image: seal,
				sizeMm: { width: 42, height: 42 }
			}
		],
		seals: [],
		ridingSeams: []
	});
}

async function bobDecides(revision: number, decision: Manifest['decision']): Promise<Manifest> {
	const ticket = await firstTicket(server, bob, bobKey);
	return sampleManifest({
		docHash: DOC_HASH,
		revision,
		signerId: 'bob',
		credentialId: bobKey.credentialId,
		ticket: { id: ticket.id, nonce: ticket.nonce },
		fills:
			decision.kind === 'signed' ? [{ ...placeOf('f-sig-b'), kind: 'signature', image: sig }] : [],
		seals: [],
		ridingSeams: [],
		decision
	});
}

async function submit(user: User, key: FakeAuthenticator, manifest: Manifest) {
	const assertion = await key.assert({
		challenge: await manifestChallenge(manifest),
		origin: ORIGIN,
		rpId: RP_ID
	});
	return ingestSubmission(deps, user, {
		idempotencyKey: `key-${crypto.randomUUID()}`,
		manifest,
		assertion,
		images
	});
}

const outcome = (answer: { body: SubmissionAccepted | SubmissionRefused }) =>
	'error' in answer.body ? answer.body.error.code : answer.body.envelopeStatus;

/** Contacts for both signers, so their notices are delivered (to the console). */
async function addContacts() {
	await open.db
		.insertInto('contract_signers')
		.values([
			{
				envelope_id: ID,
				signer_id: 'alice',
				name: '张三',
				contact: 'zhang@example.cn',
				user_id: alice.id,
				invite_id: null,
				notified_at: null
			},
			{
				envelope_id: ID,
				signer_id: 'bob',
				name: '李四',
				contact: 'li@example.cn',
				user_id: bob.id,
				invite_id: null,
				notified_at: null
			}
		])
		.execute();
}

/** Runs the notice jobs as the server's job runner does, capturing what the console sends. */
async function runNotices(): Promise<number> {
	const notifiers: Notifiers = {
		console: new ConsoleNotifier((line) => messages.push(line)),
		smtp: null,
		sms: null
	};
	const noticeDeps = { db: open.db, clock: now, origin: 'https://sign.example.cn', notifiers };
	return new JobRunner(open.db, now)
		.register(RETURNED_NOTICE_JOB, (job, owner) => notifyReturned(noticeDeps, job, owner))
		.register(RESENT_NOTICE_JOB, (job, owner) => notifyResent(noticeDeps, job, owner))
		.register(TURN_NOTICE_JOB, (job, owner) => notifyTurn(noticeDeps, job, owner))
		.runDue();
}

describe('退回 → resend → sign', () => {
	it('LC3: an accepted return marks the contract returned and queues the sender’s notice with it; the notice names the title, signer and reason in both languages', async () => {
		expect(outcome(await submit(alice, aliceKey, await aliceSigns(1)))).toBe('sent');
		const returned = await submit(
			bob,
			bobKey,
			await bobDecides(1, { kind: 'rejected', reason: REASON })
		);
		expect(outcome(returned)).toBe('returned');
		const submissionId = (returned.body as SubmissionAccepted).submissionId;

		const stored = (await loadEnvelope(open.db, ID))!;
		expect(stored.envelope.status).toBe('returned');
		const row = await open.db
			.selectFrom('envelopes')
			.select(['status', 'returned_at'])
			.executeTakeFirstOrThrow();
		expect(row).toEqual({
			status: 'sent',
			returned_at: (returned.body as SubmissionAccepted).receivedAt
		});
		expect(await findJob(open.db, RETURNED_NOTICE_JOB, submissionId)).toMatchObject({
			state: 'queued'
		});

		// Every party sees the same state (LC1): the admin's list and page, the signer's inbox.
		const [summary] = await listContracts(open.db, 'org');
		expect(summary).toMatchObject({ id: ID, status: 'returned', state: 'returned' });
		const detail = (await contractDetail(open.db, 'org', ID))!;
		expect(detail.state).toBe('returned');
		expect(detail.progress.find((p) => p.signerId === 'bob')).toMatchObject({
			state: 'rejected',
			reason: REASON
		});
		expect((await listInbox(open.db, bob.id))[0]).toMatchObject({
			state: 'returned',
			myState: 'rejected'
		});

		// Two jobs: the return's notice, and the turn Alice's signature opened for Bob, which sends
		// nothing now that Bob has decided (LC8).
		expect(await runNotices()).toBe(2);
		expect(messages).toHaveLength(1);
		const [message] = messages;
		expect(message).toContain('Sender Admin');
		expect(message).toContain('合同被退回：采购合同 Supply');
		expect(message).toContain('Contract returned: 采购合同 Supply');
		expect(message).toContain(REASON);
		expect(message).toContain('李四');
		expect(message).toContain(`https://sign.example.cn/admin/contracts/${ID}`);
		expect(await findJob(open.db, RETURNED_NOTICE_JOB, submissionId)).toMatchObject({
			state: 'done'
		});
	});

	it('R3: a returned contract cannot be signed until it is resent', async () => {
		const alicesReturn = await aliceSigns(1);
		alicesReturn.decision = { kind: 'rejected', reason: REASON };
		alicesReturn.fills = [];
		expect(outcome(await submit(alice, aliceKey, alicesReturn))).toBe('returned');
		// A second device of Alice's still holding a signed manifest: the round is closed.
		const refused = await submit(alice, aliceKey, await aliceSigns(1));
		expect(outcome(refused)).toBe('ENVELOPE_CLOSED');
	});

	it('LC4, LC5: the sender edits the fields while returned, then resends: a new revision for every signer, notified in both languages', async () => {
		expect(outcome(await submit(alice, aliceKey, await aliceSigns(1)))).toBe('sent');
		await submit(bob, bobKey, await bobDecides(1, { kind: 'rejected', reason: REASON }));

		// LC4: the fields change while returned (here Alice's date field becomes optional).
		const fields = sampleEnvelope().fields.map((f) =>
			f.id === 'f-date-a' ? { ...f, required: false } : f
		);
		const saved = await saveFields({ db: open.db }, 'org', ID, fields);
		expect(saved.ok).toBe(true);
		// ... which a sent contract does not allow (nor a second resend of an open one, LC5).
		const resent = await resendContract({ db: open.db, clock: now }, admin, ID);
		expect(resent).toEqual({ ok: true, revision: 2 });
		expect((await saveFields({ db: open.db }, 'org', ID, fields)).ok).toBe(false);
		expect(await resendContract({ db: open.db, clock: now }, admin, ID)).toMatchObject({
			ok: false,
			code: 'CONTRACT_NOT_EDITABLE'
		});

		const stored = (await loadEnvelope(open.db, ID))!;
		expect(stored.envelope).toMatchObject({ status: 'sent', revision: 2, docHash: DOC_HASH });
		expect(
			await open.db
				.selectFrom('envelope_revisions')
				.select(['revision', 'doc_sha256'])
				.where('envelope_id', '=', ID)
				.execute()
		).toEqual([{ revision: 2, doc_sha256: DOC_HASH }]);
		// LC2: nobody's decision of revision 1 is served or shown any more.
		expect(await acceptedManifests(open.db, stored.envelope)).toEqual([]);
		expect((await contractDetail(open.db, 'org', ID))!.progress.map((p) => p.state)).toEqual([
			'pending',
			'pending'
		]);
		expect((await listInbox(open.db, bob.id))[0]).toMatchObject({
			state: 'sent',
			myState: 'pending'
		});

		expect(await findJob(open.db, RESENT_NOTICE_JOB, `${ID}@2`)).toMatchObject({ state: 'queued' });
		await addContacts();
		// The return's notice to the sender, the turn Alice's signature had opened for Bob (no
		// longer due: that round ended), then the resend's, in this sequential contract to Alice
		// only: Bob hears when it is his turn again (LC8).
		expect(await runNotices()).toBe(3);
		const resentNotices = messages.filter((line) => line.includes('resent'));
		expect(resentNotices).toHaveLength(1);
		expect(resentNotices.join('\n')).toContain('zhang@example.cn');
		expect(messages.join('\n')).not.toContain('li@example.cn');
		for (const message of resentNotices) {
			expect(message).toContain('合同已重新发送签署：采购合同 Supply');
			expect(message).toContain('Contract resent for signing: 采购合同 Supply');
			expect(message).toContain(`https://sign.example.cn/inbox/${ID}`);
		}
	});

	it('LC8: in a sequential contract the next signer is told when the one before has signed, once', async () => {
		await addContacts();
		expect(outcome(await submit(alice, aliceKey, await aliceSigns(1)))).toBe('sent');
		expect(await findJob(open.db, TURN_NOTICE_JOB, `${ID}@1:bob`)).toMatchObject({
			state: 'queued'
		});
		expect(await runNotices()).toBe(1);
		expect(messages).toHaveLength(1);
		const [notice] = messages;
		expect(notice).toContain('li@example.cn');
		expect(notice).toContain('轮到您签署：采购合同 Supply');
		expect(notice).toContain('Your turn to sign: 采购合同 Supply');
		expect(notice).toContain(`https://sign.example.cn/inbox/${ID}`);
		// Bob's decision opens nobody's turn: he is the last.
		expect(outcome(await submit(bob, bobKey, await bobDecides(1, { kind: 'signed' })))).toBe(
			'completed'
		);
		expect(await runNotices()).toBe(0);
	});

	it('R2, R10: after the resend an old-round manifest is refused (DOC_REVISED); the returner signs the new revision and it completes (C1)', async () => {
		expect(outcome(await submit(alice, aliceKey, await aliceSigns(1)))).toBe('sent');
		await submit(bob, bobKey, await bobDecides(1, { kind: 'rejected', reason: REASON }));
		// Bob's second device holds a signed manifest of revision 1 besides the return he sent.
		const oldRound = await bobDecides(1, { kind: 'signed' });
		expect(await resendContract({ db: open.db, clock: now }, admin, ID)).toMatchObject({
			ok: true
		});

		expect(outcome(await submit(bob, bobKey, oldRound))).toBe('DOC_REVISED');
		// Alice's revision-1 signature no longer counts: Bob waits for her again (R9), then signs.
		expect(outcome(await submit(bob, bobKey, await bobDecides(2, { kind: 'signed' })))).toBe(
			'NOT_YOUR_TURN'
		);
		expect(outcome(await submit(alice, aliceKey, await aliceSigns(2)))).toBe('sent');
		expect((await listContracts(open.db, 'org'))[0]!.state).toBe('in-progress');
		expect(outcome(await submit(bob, bobKey, await bobDecides(2, { kind: 'signed' })))).toBe(
			'completed'
		);
		expect((await listContracts(open.db, 'org'))[0]!.state).toBe('completed');
	});
});
