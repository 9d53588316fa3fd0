import { deviceName } from '../finalise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../db';
import type { User } from '../db/schema';
import type { BlobStore } from '../platform/blob-store';
import { ingestSubmission, type IngestDeps } from './ingest';
import { topUpTickets, TICKET_POOL_SIZE } from '../auth';
import { authoriseSeal, createSeal, revokeSeal, setSealStatus, updateSeal } from '../seals';
import { revokePasskey } from '../auth';
import { preAuthRefusals } from '../review';
import { manifestChallenge } from '$lib/domain/canonical';
import { placeOf, sampleEnvelope, sampleManifest } from '$lib/domain/fixtures';
import type { Manifest } from '$lib/domain/manifest';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import {
	createFakeAuthenticator,
	insertCredential,
	type FakeAuthenticator
} from '../../../../tests/support/fake-authenticator';
import { discSealPng, sha256Hex } from '../../../../tests/support/images';
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

// Real SQLite file, real blob store, real WebAuthn verification (a software P-256 passkey):
// only the browser is left out. Test names start with the stable code they prove.

let server: TestServer;
let open: OpenDatabase;
let blobs: BlobStore;
const now = () => server.now();
let deps: IngestDeps;
let alice: User;
let bob: User;
let aliceKey: FakeAuthenticator;
let bobKey: FakeAuthenticator;
let sigPng: Uint8Array;
let sealPng: Uint8Array;
let sig: string;
let seal: string;
let images: Record<string, string>;

beforeEach(async () => {
	server = await openTestServer('ingest');
	({ open, blobs, deps } = server);
	({ sigPng, sealPng, sig, seal, images } = await testImages());

	const at = now().toISOString();
	const db = open.db;
	await insertOrgs(db, at);
	[alice, bob] = (await insertUsers(db, at, [{ id: 'user-alice' }, { id: 'user-bob' }])) as [
		User,
		User
	];
	aliceKey = await addPasskey(db, alice.id, at);
	bobKey = await addPasskey(db, bob.id, at);
	await insertDocBlob(db, at);
	const envelope = sampleEnvelope({ docHash: DOC_HASH });
	await insertContract(db, {
		id: envelope.id,
		title: 'Test',
		at,
		envelope,
		signers: { alice: alice.id, bob: bob.id }
	});
	await insertSeal(db, {
		id: 'seal-contract',
		orgId: 'org',
		createdBy: alice.id,
		image: seal,
		at: '2026-01-01T00:00:00.000Z'
	});
	await grantSeal(db, { id: 'auth-1', sealId: 'seal-contract', userId: alice.id, at });
});

afterEach(async () => {
	await server.close();
});

const ticketFor = (user: User, key: FakeAuthenticator) => firstTicket(server, user, key);

/** Alice's signing manifest: the two required fields, with the real image hashes. */
async function aliceManifest(overrides: Partial<Manifest> = {}): Promise<Manifest> {
	const ticket = await ticketFor(alice, aliceKey);
	return sampleManifest({
		docHash: DOC_HASH,
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
		ridingSeams: [],
		...overrides
	});
}

/** Bob's manifest with a fresh ticket of his: no marks unless `overrides` brings them. */
async function bobManifest(overrides: Partial<Manifest> = {}): Promise<Manifest> {
	const ticket = await ticketFor(bob, bobKey);
	return sampleManifest({
		docHash: DOC_HASH,
		signerId: 'bob',
		credentialId: bobKey.credentialId,
		ticket: { id: ticket.id, nonce: ticket.nonce },
		fills: [],
		seals: [],
		ridingSeams: [],
		...overrides
	});
}

async function bodyFor(
	manifest: Manifest,
	key: FakeAuthenticator,
	options: {
		idempotencyKey?: string;
		uv?: boolean;
		bogusSignature?: boolean;
		images?: Record<string, string>;
	} = {}
) {
	const assertion = await key.assert({
		challenge: await manifestChallenge(manifest),
		origin: ORIGIN,
		rpId: RP_ID,
		uv: options.uv,
		bogusSignature: options.bogusSignature
	});
	return {
		idempotencyKey: options.idempotencyKey ?? `key-${crypto.randomUUID()}`,
		manifest,
		assertion,
		images: options.images ?? images
	};
}

const code = (answer: { body: SubmissionAccepted | SubmissionRefused }) =>
	'error' in answer.body ? answer.body.error.code : null;

async function insertAdmin(): Promise<User> {
	const [admin] = await insertUsers(open.db, now().toISOString(), [
		{ id: 'user-admin', role: 'admin', displayName: 'admin' }
	]);
	return admin!;
}

async function ticketRow(id: string) {
	return open.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('tickets', () => {
	it('tops the pool up to 50 unexpired, unused tickets and returns the whole pool', async () => {
		const first = await topUpTickets(open.db, deps.clock, alice.id, aliceKey.credentialId);
		expect(first.ok && first.value.remaining).toBe(TICKET_POOL_SIZE);
		const again = await topUpTickets(open.db, deps.clock, alice.id, aliceKey.credentialId);
		expect(again.ok && again.value.tickets.map((t) => t.id)).toEqual(
			first.ok && first.value.tickets.map((t) => t.id)
		);
		expect(first.ok && first.value.tickets[0]!.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(first.ok && first.value.until).toBe('2026-03-31T08:00:00.000Z');
		// Someone else's passkey gets nothing.
		const other = await topUpTickets(open.db, deps.clock, bob.id, aliceKey.credentialId);
		expect(other.ok).toBe(false);
	});
});

describe('ingestSubmission', () => {
	it('CE4: an accepted submission keeps the address and browser it was uploaded from', async () => {
		const userAgent =
			'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
		const answer = await ingestSubmission(
			deps,
			alice,
			await bodyFor(await aliceManifest(), aliceKey),
			{ ip: '203.0.113.7', userAgent }
		);
		expect(answer.status).toBe(201);
		const row = await open.db
			.selectFrom('submissions')
			.select(['client_ip', 'user_agent'])
			.where('id', '=', (answer.body as SubmissionAccepted).submissionId)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ client_ip: '203.0.113.7', user_agent: userAgent });
		expect(deviceName(row.user_agent)).toBe('iOS 18.1 · Safari 18.1');
		expect(deviceName(null)).toBeNull();
		expect(deviceName('curl/8.5.0')).toBeNull();
	});

	it('accepts a valid manifest: ticket consumed, images stored once, envelope completes with the last required field', async () => {
		const manifest = await aliceManifest();
		const answer = await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey));
		expect(answer.status).toBe(201);
		const accepted = answer.body as SubmissionAccepted;
		expect(accepted.envelopeStatus).toBe('sent'); // bob has not signed yet
		expect(accepted.manifestHash).toMatch(/^[0-9a-f]{64}$/);
		const ticket = await ticketRow(manifest.ticket.id);
		expect(ticket.used_at).not.toBeNull();
		expect(ticket.used_by_submission).toBe(accepted.submissionId);
		expect(await blobs.get(sig)).toEqual(sigPng);
		expect(await blobs.has(seal)).toBe(true);
		const credential = await open.db
			.selectFrom('credentials')
			.selectAll()
			.where('id', '=', aliceKey.credentialId)
			.executeTakeFirstOrThrow();
		expect(credential.counter).toBe(1);

		// Bob signs with the same signature image: it is stored once, and the envelope completes.
		const bobsManifest = await bobManifest({
			fills: [{ ...placeOf('f-sig-b'), kind: 'signature', image: sig }]
		});
		const second = await ingestSubmission(
			deps,
			bob,
			await bodyFor(bobsManifest, bobKey, {
				images: { [sig]: Buffer.from(sigPng).toString('base64') }
			})
		);
		expect(second.status).toBe(201);
		expect((second.body as SubmissionAccepted).envelopeStatus).toBe('completed');
		const rows = await open.db
			.selectFrom('blobs')
			.select('sha256')
			.where('sha256', '=', sig)
			.execute();
		expect(rows).toHaveLength(1);
		const envelope = await open.db
			.selectFrom('envelopes')
			.select('status')
			.executeTakeFirstOrThrow();
		expect(envelope.status).toBe('completed');
		const events = await open.db
			.selectFrom('submission_events')
			.select(['outcome', 'code'])
			.execute();
		expect(events).toEqual([
			{ outcome: 'accepted', code: null },
			{ outcome: 'accepted', code: null }
		]);
	});

	it('an idempotent repeat (same key, same body) returns the stored answer verbatim', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		const first = await ingestSubmission(deps, alice, body);
		server.setNow(new Date(now().getTime() + 60_000));
		// The same JSON with its keys in another order is the same body.
		const reordered = JSON.parse(
			JSON.stringify({
				images: body.images,
				assertion: body.assertion,
				manifest: body.manifest,
				idempotencyKey: body.idempotencyKey
			})
		);
		const second = await ingestSubmission(deps, alice, reordered);
		expect(second).toEqual(first);
		expect(await open.db.selectFrom('submissions').select('id').execute()).toHaveLength(1);
	});

	it('a retry under the same key without the images the first attempt stored gets the stored answer', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey, { idempotencyKey: 'device-key-2' });
		const first = await ingestSubmission(deps, alice, body);
		expect(first.status).toBe(201);
		const retry = await ingestSubmission(deps, alice, { ...body, images: {} });
		expect(retry).toEqual({ status: 201, body: first.body });
		expect(await open.db.selectFrom('submissions').select('id').execute()).toHaveLength(1);
	});

	it('IDEMPOTENCY_CONFLICT: the same key with a different body is refused', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey, { idempotencyKey: 'device-key-1' });
		expect((await ingestSubmission(deps, alice, body)).status).toBe(201);
		const other = await bodyFor(
			await aliceManifest({ deviceTime: '2026-03-01T09:00:00.000Z' }),
			aliceKey,
			{ idempotencyKey: 'device-key-1' }
		);
		const answer = await ingestSubmission(deps, alice, other);
		expect(code(answer)).toBe('IDEMPOTENCY_CONFLICT');
		expect(answer.status).toBe(422);
	});

	it('TICKET_USED: a replay of the same manifest and assertion under a new key is refused', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		expect((await ingestSubmission(deps, alice, body)).status).toBe(201);
		const answer = await ingestSubmission(deps, alice, {
			...body,
			idempotencyKey: 'another-key-1'
		});
		expect(code(answer)).toBe('TICKET_USED');
		expect(answer.status).toBe(409);
	});

	it('ASSERTION_INVALID: a bogus signature is refused and the ticket stays unused', async () => {
		const manifest = await aliceManifest();
		const answer = await ingestSubmission(
			deps,
			alice,
			await bodyFor(manifest, aliceKey, { bogusSignature: true })
		);
		expect(code(answer)).toBe('ASSERTION_INVALID');
		expect(answer.status).toBe(401);
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
		// The honest assertion for the same manifest and ticket still goes through.
		expect((await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey))).status).toBe(
			201
		);
	});

	it('ASSERTION_INVALID: an assertion over another manifest (challenge mismatch) is refused', async () => {
		const manifest = await aliceManifest();
		const body = await bodyFor({ ...manifest, deviceTime: '2026-03-02T00:00:00.000Z' }, aliceKey);
		const answer = await ingestSubmission(deps, alice, { ...body, manifest });
		expect(code(answer)).toBe('ASSERTION_INVALID');
	});

	it('UV_REQUIRED: an assertion without user verification is refused and the ticket stays unused', async () => {
		const manifest = await aliceManifest();
		const answer = await ingestSubmission(
			deps,
			alice,
			await bodyFor(manifest, aliceKey, { uv: false })
		);
		expect(code(answer)).toBe('UV_REQUIRED');
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
	});

	it('TICKET_EXPIRED: a ticket past its 30 days is refused', async () => {
		const manifest = await aliceManifest();
		const body = await bodyFor(manifest, aliceKey);
		server.setNow(new Date(now().getTime() + 31 * 86_400_000));
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('TICKET_EXPIRED');
		expect(answer.status).toBe(422);
	});

	it("TICKET_UNKNOWN: someone else's ticket, a wrong nonce or an unknown id is refused", async () => {
		const bobs = await ticketFor(bob, bobKey);
		const stolen = await aliceManifest({ ticket: { id: bobs.id, nonce: bobs.nonce } });
		expect(code(await ingestSubmission(deps, alice, await bodyFor(stolen, aliceKey)))).toBe(
			'TICKET_UNKNOWN'
		);
		const mine = await aliceManifest();
		const guessed = { ...mine, ticket: { id: mine.ticket.id, nonce: 'A'.repeat(43) } };
		expect(code(await ingestSubmission(deps, alice, await bodyFor(guessed, aliceKey)))).toBe(
			'TICKET_UNKNOWN'
		);
		const unknown = { ...mine, ticket: { id: 'no-such-ticket', nonce: mine.ticket.nonce } };
		expect(code(await ingestSubmission(deps, alice, await bodyFor(unknown, aliceKey)))).toBe(
			'TICKET_UNKNOWN'
		);
	});

	it('PASSKEY_UNKNOWN: a signature the device confirmed offline with a passkey revoked meanwhile is refused; nothing is stored, nothing spent', async () => {
		// The phone holds its pool and confirms offline; meanwhile the laptop revokes its passkey.
		await insertCredential(open.db, alice.id, await createFakeAuthenticator(), now().toISOString());
		const body = await bodyFor(await aliceManifest(), aliceKey);
		const revoked = await revokePasskey(open.db, deps.clock, alice.id, aliceKey.credentialId);
		expect(revoked).toMatchObject({ ok: true, value: { ticketsRevoked: TICKET_POOL_SIZE } });
		const answer = await ingestSubmission(deps, alice, body);
		expect(answer.status).toBe(401);
		expect(code(answer)).toBe('PASSKEY_UNKNOWN');
		expect(await ticketRow(body.manifest.ticket.id)).toMatchObject({
			used_at: null,
			revoked_at: now().toISOString()
		});
		expect(await open.db.selectFrom('submissions').select('id').execute()).toHaveLength(0);
		expect(await open.db.selectFrom('idempotency_keys').select('key').execute()).toHaveLength(0);
	});

	it('MB4: a signature confirmed offline before its signer was deactivated is refused as such; nothing is stored', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		await open.db
			.updateTable('users')
			.set({ deactivated_at: now().toISOString() })
			.where('id', '=', alice.id)
			.execute();
		const deactivated = { ...alice, deactivated_at: now().toISOString() };
		const answer = await ingestSubmission(deps, deactivated, body);
		expect(code(answer)).toBe('ACCOUNT_DEACTIVATED');
		expect(answer.status).toBe(403);
		expect((await ticketRow(body.manifest.ticket.id)).used_at).toBeNull();
		expect(await open.db.selectFrom('submissions').select('id').execute()).toHaveLength(0);
	});

	it('PASSKEY_UNKNOWN: a passkey revoked without its tickets (before migration 0011) is refused the same way', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		await open.db
			.updateTable('credentials')
			.set({ revoked_at: now().toISOString() })
			.where('id', '=', aliceKey.credentialId)
			.execute();
		expect(code(await ingestSubmission(deps, alice, body))).toBe('PASSKEY_UNKNOWN');
		expect((await ticketRow(body.manifest.ticket.id)).used_at).toBeNull();
	});

	it('MANIFEST_INVALID: a manifest with an unknown key is refused before anything else', async () => {
		const manifest = { ...(await aliceManifest()), extra: true } as unknown as Manifest;
		const answer = await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey));
		expect(code(answer)).toBe('MANIFEST_INVALID');
	});

	describe('deadline', () => {
		// The contract is due on 2026-03-02: signing closes at 2026-03-02T16:00Z (DL1). The ticket
		// and the device time are 2026-03-01T08:00Z, the test clock's start.
		const deadlineAt = '2026-03-02T16:00:00.000Z';
		beforeEach(async () => {
			await open.db.updateTable('envelopes').set({ deadline: '2026-03-02' }).execute();
		});

		it('DL2: a decision received before the deadline is accepted', async () => {
			const body = await bodyFor(await aliceManifest(), aliceKey);
			server.setNow(new Date('2026-03-02T15:59:00Z'));
			expect(code(await ingestSubmission(deps, alice, body))).toBeNull();
		});

		it('DL3: confirmed offline before the deadline on an earlier ticket, synced inside the grace period: accepted', async () => {
			const body = await bodyFor(await aliceManifest(), aliceKey);
			server.setNow(new Date('2026-03-04T10:00:00Z'));
			const answer = await ingestSubmission(deps, alice, body);
			expect(code(answer)).toBeNull();
			expect(answer.status).toBe(201);
		});

		it('DOC_EXPIRED: synced after the grace period, the same decision is refused and the ticket stays unspent', async () => {
			const manifest = await aliceManifest();
			const body = await bodyFor(manifest, aliceKey);
			server.setNow(new Date(Date.parse(deadlineAt) + 72 * 3600_000 + 1000));
			const answer = await ingestSubmission(deps, alice, body);
			expect(code(answer)).toBe('DOC_EXPIRED');
			expect(answer.status).toBe(409);
			expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
		});

		it('DOC_EXPIRED: a device clock set back does not reopen it: the ticket was issued after the deadline', async () => {
			server.setNow(new Date('2026-03-03T09:00:00Z'));
			const body = await bodyFor(await aliceManifest(), aliceKey);
			expect(code(await ingestSubmission(deps, alice, body))).toBe('DOC_EXPIRED');
		});
	});

	it('SIGNER_NOT_CERTIFIED: a signature below the required level is refused, a rejection is not (PC11)', async () => {
		await open.db.updateTable('envelopes').set({ required_level: 'checksum-valid' }).execute();
		const manifest = await aliceManifest();
		const answer = await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey));
		expect(code(answer)).toBe('SIGNER_NOT_CERTIFIED');
		expect(answer.status).toBe(409);
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
		// Once certified, the same decision signed again (a new request) is accepted.
		await open.db
			.updateTable('users')
			.set({ cert_level: 'checksum-valid' })
			.where('id', '=', alice.id)
			.execute();
		const certified = await open.db
			.selectFrom('users')
			.selectAll()
			.where('id', '=', alice.id)
			.executeTakeFirstOrThrow();
		const again = await ingestSubmission(
			deps,
			certified,
			await bodyFor(await aliceManifest(), aliceKey, { idempotencyKey: 'after-certifying' })
		);
		expect(code(again)).toBeNull();

		const declined = await bobManifest({ decision: { kind: 'rejected', reason: '金额有误' } });
		expect((await ingestSubmission(deps, bob, await bodyFor(declined, bobKey))).status).toBe(201);
	});

	it('DOC_REVOKED: an envelope revoked while the signer was offline is refused; the answer is kept under the key', async () => {
		const manifest = await aliceManifest();
		const body = await bodyFor(manifest, aliceKey);
		await open.db.updateTable('envelopes').set({ status: 'revoked' }).execute();
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('DOC_REVOKED');
		expect(answer.status).toBe(409);
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
		// A retry gets the same answer, even after the envelope changed again.
		await open.db.updateTable('envelopes').set({ status: 'sent' }).execute();
		expect(await ingestSubmission(deps, alice, body)).toEqual(answer);
		const events = await open.db
			.selectFrom('submission_events')
			.select(['outcome', 'code'])
			.execute();
		expect(events).toEqual([
			{ outcome: 'refused', code: 'DOC_REVOKED' },
			{ outcome: 'refused', code: 'DOC_REVOKED' }
		]);
	});

	it('DOC_REVISED: a manifest for an older revision is refused', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		await open.db.updateTable('envelopes').set({ revision: 2 }).execute();
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('DOC_REVISED');
		expect(answer.status).toBe(409);
	});

	it('FIELD_TAKEN: a field filled twice is refused, with every problem listed', async () => {
		const manifest = await aliceManifest();
		manifest.fills.push({ ...placeOf('f-sig-a'), kind: 'signature', image: sig });
		const answer = await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey));
		expect(code(answer)).toBe('FIELD_TAKEN');
		expect(answer.status).toBe(409);
		expect((answer.body as SubmissionRefused).problems).toEqual([
			{ code: 'FIELD_TAKEN', rule: 'R8', path: 'fills.2' }
		]);
	});

	it('FIELD_TAKEN: a second device of the same signer finds the fields already filled', async () => {
		expect(
			(await ingestSubmission(deps, alice, await bodyFor(await aliceManifest(), aliceKey))).status
		).toBe(201);
		const answer = await ingestSubmission(
			deps,
			alice,
			await bodyFor(await aliceManifest(), aliceKey)
		);
		const problems = (answer.body as SubmissionRefused).problems ?? [];
		expect(problems.map((p) => p.code)).toContain('FIELD_TAKEN');
	});

	it('NOT_YOUR_TURN: the second signer of a sequential envelope cannot sign first', async () => {
		const t = await ticketFor(bob, bobKey);
		const manifest = sampleManifest({
			docHash: DOC_HASH,
			signerId: 'bob',
			credentialId: bobKey.credentialId,
			ticket: { id: t.id, nonce: t.nonce },
			fills: [{ ...placeOf('f-sig-b'), kind: 'signature', image: sig }],
			seals: [],
			ridingSeams: []
		});
		const answer = await ingestSubmission(deps, bob, await bodyFor(manifest, bobKey));
		expect(code(answer)).toBe('NOT_YOUR_TURN');
		expect(answer.status).toBe(409);
	});

	it('SEAL_NOT_AUTHORISED: a seal whose authorisation was revoked is refused', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		await open.db
			.updateTable('seal_authorisations')
			.set({ revoked_at: now().toISOString() })
			.execute();
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('SEAL_NOT_AUTHORISED');
	});

	it('SEAL_NOT_AUTHORISED / SA2: a seal the admin revoked through the seal page is refused at the next upload', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		const admin = await insertAdmin();
		expect((await revokeSeal(deps, admin, 'seal-contract', alice.id)).ok).toBe(true);
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('SEAL_NOT_AUTHORISED');
		expect(answer.status).toBe(403);
	});

	it('SEAL_IMAGE_MISMATCH: a forged image stamped under an authorised seal’s id is refused (422); nothing is stored or counted as a use', async () => {
		// A red disc of another size: a well-formed PNG, held by nobody, that is not the seal.
		const forgedPng = await discSealPng(256);
		const forged = sha256Hex(forgedPng);
		const manifest = await aliceManifest({
			fills: [
				{ ...placeOf('f-sig-a'), kind: 'signature', image: sig },
				{
					...placeOf('f-seal-a'),
					kind: 'seal',
					sealId: 'seal-contract',
					image: forged,
					sizeMm: { width: 42, height: 42 }
				}
			]
		});
		const answer = await ingestSubmission(
			deps,
			alice,
			await bodyFor(manifest, aliceKey, {
				images: {
					[sig]: Buffer.from(sigPng).toString('base64'),
					[forged]: Buffer.from(forgedPng).toString('base64')
				}
			})
		);
		expect(code(answer)).toBe('SEAL_IMAGE_MISMATCH');
		expect(answer.status).toBe(422);
		expect((answer.body as SubmissionRefused).problems).toEqual([
			{ code: 'SEAL_IMAGE_MISMATCH', rule: 'R20', path: 'fills.1.image' }
		]);
		expect(await blobs.has(forged)).toBe(false);
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
		expect(await open.db.selectFrom('seal_uses').selectAll().execute()).toEqual([]);
		expect(await open.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
	});

	it('SEAL_IMAGE_MISMATCH: a free seal with a forged image is refused like a seal field', async () => {
		const forgedPng = await discSealPng(256);
		const forged = sha256Hex(forgedPng);
		const manifest = await aliceManifest({
			seals: [
				{
					sealId: 'seal-contract',
					image: forged,
					page: 2,
					centre: { x: 300, y: 400 },
					sizeMm: { width: 42, height: 42 }
				}
			]
		});
		const answer = await ingestSubmission(
			deps,
			alice,
			await bodyFor(manifest, aliceKey, {
				images: {
					[sig]: Buffer.from(sigPng).toString('base64'),
					[seal]: Buffer.from(sealPng).toString('base64'),
					[forged]: Buffer.from(forgedPng).toString('base64')
				}
			})
		);
		expect(code(answer)).toBe('SEAL_IMAGE_MISMATCH');
		expect((answer.body as SubmissionRefused).problems?.map((p) => p.path)).toEqual([
			'seals.0.image'
		]);
	});

	it('SEAL_SIZE_MISMATCH: the seal’s own image at another size is refused (422)', async () => {
		const manifest = await aliceManifest({
			fills: [
				{ ...placeOf('f-sig-a'), kind: 'signature', image: sig },
				{
					...placeOf('f-seal-a'),
					kind: 'seal',
					sealId: 'seal-contract',
					image: seal,
					sizeMm: { width: 30, height: 30 }
				}
			]
		});
		const answer = await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey));
		expect(code(answer)).toBe('SEAL_SIZE_MISMATCH');
		expect(answer.status).toBe(422);
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
	});

	it('SEAL_DISABLED: a stamp with a seal the admin disabled while the signer was offline is refused (403)', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		const admin = await insertAdmin();
		expect((await setSealStatus(deps, admin, 'seal-contract', 'disabled')).ok).toBe(true);
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('SEAL_DISABLED');
		expect(answer.status).toBe(403);
		expect(await open.db.selectFrom('seal_uses').selectAll().execute()).toEqual([]);
	});

	it('R20: after the seal is regenerated, the old image is accepted with a ticket issued before the change and refused with one issued after', async () => {
		const admin = await insertAdmin();
		const created = await createSeal(deps, admin, {
			name: '合同专用章',
			spec: { orgName: '示例科技有限公司' }
		});
		if (!created.ok) throw new Error(created.message);
		expect((await authoriseSeal(deps, admin, created.id, alice.id)).ok).toBe(true);
		const oldImage = created.image;
		const stamp = (image: string, ticket: { id: string; nonce: string }) =>
			aliceManifest({
				ticket,
				fills: [
					{ ...placeOf('f-sig-a'), kind: 'signature', image: sig },
					{
						...placeOf('f-seal-a'),
						kind: 'seal',
						sealId: created.id,
						image,
						sizeMm: { width: 42, height: 42 }
					}
				]
			});
		const sigOnly = { [sig]: Buffer.from(sigPng).toString('base64') };
		// The device holds the old image and a ticket from before the change; it confirms offline.
		const before = await ticketFor(alice, aliceKey);
		const confirmedOffline = await bodyFor(
			await stamp(oldImage, { id: before.id, nonce: before.nonce }),
			aliceKey,
			{ images: sigOnly }
		);

		server.setNow(new Date('2026-03-02T08:00:00Z'));
		const regenerated = await updateSeal(deps, admin, created.id, {
			name: '合同专用章',
			spec: { orgName: '示例科技股份有限公司' }
		});
		if (!regenerated.ok) throw new Error(regenerated.message);
		expect(regenerated.image).not.toBe(oldImage);
		const versions = await open.db
			.selectFrom('seal_versions')
			.select(['image_hash', 'valid_from', 'valid_until'])
			.where('seal_id', '=', created.id)
			.orderBy('valid_from')
			.execute();
		expect(versions).toEqual([
			{
				image_hash: oldImage,
				valid_from: '2026-03-01T08:00:00.000Z',
				valid_until: '2026-03-02T08:00:00.000Z'
			},
			{ image_hash: regenerated.image, valid_from: '2026-03-02T08:00:00.000Z', valid_until: null }
		]);

		// A ticket issued after the change cannot have been confirmed with the retired image. (The
		// pool issued before it is set aside for a moment, so the top-up issues fresh tickets.)
		server.setNow(new Date('2026-03-02T09:00:00Z'));
		const setAside = await open.db
			.updateTable('tickets')
			.set({ used_at: now().toISOString() })
			.where('used_at', 'is', null)
			.returning('id')
			.execute();
		const after = await ticketFor(alice, aliceKey);
		await open.db
			.updateTable('tickets')
			.set({ used_at: null })
			.where(
				'id',
				'in',
				setAside.map((t) => t.id)
			)
			.execute();
		expect((await ticketRow(after.id)).issued_at).toBe('2026-03-02T09:00:00.000Z');
		expect(after.id).not.toBe(before.id);
		const late = await ingestSubmission(
			deps,
			alice,
			await bodyFor(await stamp(oldImage, { id: after.id, nonce: after.nonce }), aliceKey, {
				images: sigOnly
			})
		);
		expect(code(late)).toBe('SEAL_IMAGE_MISMATCH');

		// The manifest confirmed before the change syncs now and is accepted.
		const answer = await ingestSubmission(deps, alice, confirmedOffline);
		expect(answer.status).toBe(201);
	});

	it('IMAGE_INVALID: image bytes that do not hash to their key are refused and nothing is stored', async () => {
		const manifest = await aliceManifest();
		const body = await bodyFor(manifest, aliceKey, {
			images: {
				[sig]: Buffer.from(sealPng).toString('base64'),
				[seal]: Buffer.from(sealPng).toString('base64')
			}
		});
		const answer = await ingestSubmission(deps, alice, body);
		expect(code(answer)).toBe('IMAGE_INVALID');
		expect(answer.status).toBe(422);
		expect(await blobs.has(seal)).toBe(false);
		expect((await ticketRow(manifest.ticket.id)).used_at).toBeNull();
	});

	it('IMAGE_MISSING: an image neither uploaded nor held is refused', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey, { images: {} });
		expect(code(await ingestSubmission(deps, alice, body))).toBe('IMAGE_MISSING');
	});

	it("IMAGE_MISSING: another user's stored image named by hash alone is refused; the owner may reuse it", async () => {
		expect(
			(await ingestSubmission(deps, alice, await bodyFor(await aliceManifest(), aliceKey))).status
		).toBe(201);
		// The server holds Alice's signature now(). Bob names it without the bytes: not his to reuse.
		const bobsManifest = await bobManifest({
			fills: [{ ...placeOf('f-sig-b'), kind: 'signature', image: sig }]
		});
		const borrowed = await ingestSubmission(
			deps,
			bob,
			await bodyFor(bobsManifest, bobKey, { images: {} })
		);
		expect(code(borrowed)).toBe('IMAGE_MISSING');
		// With the bytes it is his own drawing as far as the server can tell, and accepted.
		const sent = await ingestSubmission(
			deps,
			bob,
			await bodyFor(bobsManifest, bobKey, {
				images: { [sig]: Buffer.from(sigPng).toString('base64') }
			})
		);
		expect(sent.status).toBe(201);
	});

	it("ASSERTION_INVALID: the message is the fixed text, never the library's (which names the challenge)", async () => {
		const manifest = await aliceManifest();
		const body = await bodyFor({ ...manifest, deviceTime: '2026-03-02T00:00:00.000Z' }, aliceKey);
		const answer = await ingestSubmission(deps, alice, { ...body, manifest });
		expect(code(answer)).toBe('ASSERTION_INVALID');
		const message = (answer.body as SubmissionRefused).error.message;
		expect(message).toBe('The assertion did not verify');
		expect(message).not.toMatch(/challenge/i);
	});

	it('refusals before the passkey verifies are counted per day, user and code: no event, review item or audit row each', async () => {
		const manifest = await aliceManifest();
		for (let i = 0; i < 5; i++) {
			const forged = await bodyFor(manifest, aliceKey, { bogusSignature: true });
			expect(code(await ingestSubmission(deps, alice, forged))).toBe('ASSERTION_INVALID');
		}
		const unknown = { ...manifest, ticket: { id: 'no-such-ticket', nonce: manifest.ticket.nonce } };
		expect(code(await ingestSubmission(deps, alice, await bodyFor(unknown, aliceKey)))).toBe(
			'TICKET_UNKNOWN'
		);
		const count = async (table: 'submission_events' | 'review_items' | 'audit_log') =>
			(await open.db.selectFrom(table).selectAll().execute()).length;
		expect(await count('submission_events')).toBe(0);
		expect(await count('review_items')).toBe(0);
		expect(await count('audit_log')).toBe(0);
		const counted = await open.db
			.selectFrom('refusal_counts')
			.select(['day', 'user_id', 'code', 'count'])
			.orderBy('code')
			.execute();
		expect(counted).toEqual([
			{ day: '2026-03-01', user_id: alice.id, code: 'ASSERTION_INVALID', count: 5 },
			{ day: '2026-03-01', user_id: alice.id, code: 'TICKET_UNKNOWN', count: 1 }
		]);
		// The admin's review page shows them, for their own organisation only.
		expect(await preAuthRefusals(open.db, 'org', '2026-03-01')).toEqual([
			{
				userId: alice.id,
				userName: alice.display_name,
				code: 'ASSERTION_INVALID',
				count: 5,
				lastAt: now().toISOString()
			},
			{
				userId: alice.id,
				userName: alice.display_name,
				code: 'TICKET_UNKNOWN',
				count: 1,
				lastAt: now().toISOString()
			}
		]);
		expect(await preAuthRefusals(open.db, 'another-org', '2026-03-01')).toEqual([]);
		// A refusal after the passkey verified is still evidence of its own.
		await open.db.updateTable('envelopes').set({ status: 'revoked' }).execute();
		expect(code(await ingestSubmission(deps, alice, await bodyFor(manifest, aliceKey)))).toBe(
			'DOC_REVOKED'
		);
		expect(await count('submission_events')).toBe(1);
		expect(await count('audit_log')).toBe(1);
	});

	it('FORBIDDEN: a user cannot confirm as another signer', async () => {
		const t = await ticketFor(bob, bobKey);
		const manifest = await aliceManifest({
			credentialId: bobKey.credentialId,
			ticket: { id: t.id, nonce: t.nonce }
		});
		const answer = await ingestSubmission(deps, bob, await bodyFor(manifest, bobKey));
		expect(code(answer)).toBe('FORBIDDEN');
	});
});

describe('audit trail of ingest (SPEC A1, A4)', () => {
	it('A1 A4: an acceptance, a 退回, a refusal and an idempotent repeat append signed, rejected, refused and nothing', async () => {
		const body = await bodyFor(await aliceManifest(), aliceKey);
		const signed = await ingestSubmission(deps, alice, body);
		await ingestSubmission(deps, alice, body); // the repeat: nothing new happened
		const returned = await bobManifest({ decision: { kind: 'rejected', reason: '金额有误' } });
		const rejected = await ingestSubmission(deps, bob, await bodyFor(returned, bobKey));
		expect(rejected.status).toBe(201);
		const replay = await ingestSubmission(deps, bob, await bodyFor(returned, bobKey));
		expect(code(replay)).toBe('TICKET_USED');
		// A refusal after the passkey verified is recorded one by one.
		await open.db.updateTable('envelopes').set({ revision: 2 }).execute();
		const stale = await ingestSubmission(
			deps,
			alice,
			await bodyFor(await aliceManifest(), aliceKey)
		);
		expect(code(stale)).toBe('DOC_REVISED');

		const rows = await open.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
		expect(rows.map((r) => [r.kind, r.actor, r.subject])).toEqual([
			['submission.signed', alice.id, (signed.body as SubmissionAccepted).submissionId],
			['submission.rejected', bob.id, (rejected.body as SubmissionAccepted).submissionId],
			['submission.refused', alice.id, returned.envelopeId]
		]);
		expect(JSON.parse(rows[1]!.data)).toMatchObject({ reason: '金额有误' });
		expect(JSON.parse(rows[2]!.data)).toMatchObject({ code: 'DOC_REVISED' });
		// The replay (spent ticket, before any passkey check) is a count, not a row.
		expect(await open.db.selectFrom('refusal_counts').select(['code', 'count']).execute()).toEqual([
			{ code: 'TICKET_USED', count: 1 }
		]);
		// The server's receipt time, the same as the submission row's.
		expect(rows[0]!.at).toBe((signed.body as SubmissionAccepted).receivedAt);
	});
});
