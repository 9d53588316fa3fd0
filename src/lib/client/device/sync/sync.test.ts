import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '$lib/server/db';
import type { User } from '$lib/server/db/schema';
import { FolderBlobStore } from '$lib/server/platform/blob-folder';
import { ingestSubmission, type IngestDeps } from '$lib/server/sync/ingest';
import { topUpTickets } from '$lib/server/auth/tickets';
import { definitionJson } from '$lib/server/contracts/envelopes';
import { missingBlobs, pullChanges } from '$lib/server/sync/sync';
import { manifestChallenge, manifestHash } from '$lib/domain/canonical';
import { placeOf, sampleEnvelope, sampleManifest } from '$lib/domain/fixtures';
import type { Manifest } from '$lib/domain/manifest';
import type { SubmissionAccepted } from '$lib/domain/api-types';
import {
	createFakeAuthenticator,
	insertCredential,
	type FakeAuthenticator
} from '../../../../../tests/support/fake-authenticator';
import {
	officialSealPng,
	discSealPng,
	sha256Hex,
	signaturePng
} from '../../../../../tests/support/images';
import { insertSeal } from '../../../../../tests/support/seals';
import { DeviceDb, type OutboxRow } from '../db';
import { drain, type SyncDeps } from './drain';
import { runSync, type LastSync } from './run';
import { backgroundSync } from './background';
import { openTestDatabase } from '../../../../../tests/support/test-db';

// The drain and the pull against an in-process server: fetch is routed to the REAL ingest,
// missing-blobs and pull functions over a real SQLite file and blob store, with a software
// passkey whose assertions the server verifies unmodified. The device store is Dexie over
// fake-indexeddb. Faults are injected at the transport: no answer before the server saw the
// request, a 500, and an answer dropped after the server committed.

const ORIGIN = 'https://sign.example.cn';
const RP_ID = 'sign.example.cn';
const DOC_HASH = 'd'.repeat(64);

type Fault = 'offline' | 'server-error' | 'drop-answer';

interface Request {
	method: string;
	path: string;
	body: unknown;
}

let dir: string;
let open: OpenDatabase;
let blobs: FolderBlobStore;
let now: Date;
let ingestDeps: IngestDeps;
let alice: User;
let bob: User;
let aliceKey: FakeAuthenticator;
let bobKey: FakeAuthenticator;
let sigPng: Uint8Array;
let sealPng: Uint8Array;
let bobPng: Uint8Array;
let device: DeviceDb;
let signedIn: boolean;
let requests: Request[];
/** Fault for the n-th (0-based) POST /api/submissions, counted over the whole test. */
let faults: Map<number, Fault>;
let submissionCount: number;

const json = (body: unknown, status = 200) =>
	new Response(JSON.stringify(body), {
		status,
		headers: { 'Content-Type': 'application/json' }
	});

/** The fake server's fetch: the real server functions behind a transport we can break. */
const serverFetch: typeof fetch = async (input, init) => {
	const url = new URL(String(input), ORIGIN);
	const method = init?.method ?? 'GET';
	const body = init?.body ? JSON.parse(String(init.body)) : null;
	requests.push({ method, path: url.pathname, body });
	let fault: Fault | undefined;
	if (method === 'POST' && url.pathname === '/api/submissions') {
		fault = faults.get(submissionCount++);
	}
	if (fault === 'offline') throw new TypeError('Failed to fetch');
	if (fault === 'server-error') return json({ error: { code: 'INTERNAL', message: 'boom' } }, 500);
	if (!signedIn) return json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } }, 401);
	let response: Response;
	if (method === 'POST' && url.pathname === '/api/submissions') {
		const answer = await ingestSubmission(ingestDeps, alice, body);
		response = json(answer.body, answer.status);
	} else if (method === 'POST' && url.pathname === '/api/blobs/missing') {
		response = json({ missing: await missingBlobs(open.db, blobs, alice, body.hashes) });
	} else if (url.pathname === '/api/sync/pull') {
		response = json(await pullChanges(open.db, alice, url.searchParams.get('cursor')));
	} else if (url.pathname.startsWith('/api/blobs/')) {
		const bytes = await blobs.get(url.pathname.slice('/api/blobs/'.length));
		response = bytes
			? new Response(bytes, { headers: { 'Content-Type': 'image/png' } })
			: json({ error: { code: 'NOT_FOUND', message: 'none' } }, 404);
	} else {
		response = json({ error: { code: 'NOT_FOUND', message: url.pathname } }, 404);
	}
	// The server committed; the answer never reaches the device.
	if (fault === 'drop-answer') throw new TypeError('network connection lost');
	return response;
};

const deps = (extra: Partial<SyncDeps> = {}): SyncDeps => ({
	db: device,
	fetch: serverFetch,
	now: () => now,
	random: () => 0.5,
	...extra
});

beforeEach(async () => {
	now = new Date('2026-03-01T08:00:00Z');
	dir = await mkdtemp(join(tmpdir(), 'sealpass-drain-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	blobs = new FolderBlobStore(join(dir, 'blobs'), 1 << 24);
	ingestDeps = { db: open.db, blobs, clock: () => now, origin: ORIGIN };
	sigPng = await signaturePng();
	sealPng = await discSealPng();
	bobPng = await officialSealPng();
	signedIn = true;
	requests = [];
	faults = new Map();
	submissionCount = 0;
	device = new DeviceDb(`sealpass-test-${crypto.randomUUID()}`);

	const at = now.toISOString();
	const db = open.db;
	await db
		.insertInto('organisations')
		// Certified (SPEC OC5): the device stamps the organisation's seal here.
		.values({ id: 'org', name: '示例', name_en: 'Demo', created_at: at, cert_state: 'certified' })
		.execute();
	const user = (id: string): User =>
		({ id, org_id: 'org', display_name: id, role: 'signer', created_at: at }) as User;
	alice = user('user-alice');
	bob = user('user-bob');
	aliceKey = await createFakeAuthenticator();
	bobKey = await createFakeAuthenticator();
	for (const [u, key] of [
		[alice, aliceKey],
		[bob, bobKey]
	] as const) {
		await db
			.insertInto('users')
			.values({ id: u.id, org_id: 'org', display_name: u.id, role: 'signer', created_at: at })
			.execute();
		await insertCredential(db, u.id, key, at);
	}
	await db
		.insertInto('blobs')
		.values({ sha256: DOC_HASH, size: 1, media_type: 'application/pdf', created_at: at })
		.execute();
	for (const id of ['env-1', 'env-2', 'env-3']) {
		const envelope = sampleEnvelope({ id, docHash: DOC_HASH });
		await db
			.insertInto('envelopes')
			.values({
				id,
				org_id: 'org',
				title: `Contract ${id}`,
				doc_sha256: DOC_HASH,
				page_count: 3,
				status: 'sent',
				created_at: at,
				definition: definitionJson(envelope)
			})
			.execute();
		await db
			.insertInto('envelope_signers')
			.values([
				{ envelope_id: id, signer_id: 'alice', user_id: alice.id },
				{ envelope_id: id, signer_id: 'bob', user_id: bob.id }
			])
			.execute();
		// The device holds a downloaded copy of each, as the signer had before going offline.
		await device.envelopes.put({
			id,
			title: `Contract ${id}`,
			status: 'sent',
			revision: 1,
			docHash: DOC_HASH,
			pageCount: 3,
			size: 1,
			myState: 'signed',
			createdAt: at,
			downloadedAt: at,
			notice: null,
			definition: envelope,
			accepted: [],
			mySignerIds: ['alice']
		});
	}
	await insertSeal(db, {
		id: 'seal-contract',
		orgId: 'org',
		createdBy: alice.id,
		image: sha256Hex(sealPng),
		at
	});
	await db
		.insertInto('seal_authorisations')
		.values({
			id: 'auth-1',
			seal_id: 'seal-contract',
			user_id: alice.id,
			granted_at: at,
			revoked_at: null
		})
		.execute();
	for (const png of [sigPng, sealPng]) {
		await device.blobs.put({
			sha256: sha256Hex(png),
			data: new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
			size: png.byteLength,
			type: 'image/png'
		});
	}
});

afterEach(async () => {
	device.close();
	await device.delete();
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

/**
 * Confirms alice's signature on an envelope as the confirmation step does: a ticket of the
 * pool, the manifest, the passkey's assertion over its hash, an outbox row. Rows are made in
 * order, so the passkey's counter grows with the row id, as on a real device.
 */
async function confirm(envelopeId: string, ticketIndex: number): Promise<OutboxRow> {
	const pool = await topUpTickets(open.db, () => now, alice.id, aliceKey.credentialId);
	if (!pool.ok) throw new Error(pool.message);
	const ticket = pool.value.tickets[ticketIndex]!;
	const envelope = sampleEnvelope({ id: envelopeId, docHash: DOC_HASH });
	const sig = sha256Hex(sigPng);
	const seal = sha256Hex(sealPng);
	const manifest: Manifest = sampleManifest({
		envelopeId,
		docHash: DOC_HASH,
		credentialId: aliceKey.credentialId,
		ticket: { id: ticket.id, nonce: ticket.nonce },
		fills: [
			{ ...placeOf('f-sig-a', envelope), kind: 'signature', image: sig },
			{
				...placeOf('f-seal-a', envelope),
				kind: 'seal',
				sealId: 'seal-contract',
				image: seal,
				sizeMm: { width: 42, height: 42 }
			}
		],
		seals: [],
		ridingSeams: []
	});
	const assertion = await aliceKey.assert({
		challenge: await manifestChallenge(manifest),
		origin: ORIGIN,
		rpId: RP_ID,
		userHandle: alice.id
	});
	const row: OutboxRow = {
		createdAt: now.toISOString(),
		credentialId: aliceKey.credentialId,
		envelopeId,
		manifest,
		manifestHash: await manifestHash(manifest),
		idempotencyKey: `key-${crypto.randomUUID()}`,
		assertion,
		images: [sig, seal],
		previewHash: null,
		state: 'pending',
		attempts: 0,
		nextAttemptAt: null,
		error: null,
		result: null,
		syncedAt: null
	};
	row.id = await device.outbox.add(row);
	return row;
}

const submissionsOnServer = async () =>
	await open.db
		.selectFrom('submissions')
		.select(['id', 'envelope_id'])
		.orderBy('received_at')
		.execute();
const submissionPosts = () => requests.filter((r) => r.path === '/api/submissions');
const keysPosted = () =>
	submissionPosts().map((r) => (r.body as { idempotencyKey: string }).idempotencyKey);
const rows = () => device.outbox.orderBy('id').toArray();

describe('drain', () => {
	it('Y1/Y6: uploads first-in first-out per credential, each accepted row synced with its answer', async () => {
		const made = [await confirm('env-1', 0), await confirm('env-2', 1), await confirm('env-3', 2)];
		const report = await drain(deps());
		expect(report).toMatchObject({ uploaded: 3, refused: 0, retry: null, signedOut: false });
		// In the order confirmed: a later assertion first would have a higher passkey counter and
		// make the earlier one fail the server's counter check.
		expect(keysPosted()).toEqual(made.map((r) => r.idempotencyKey));
		const after = await rows();
		expect(after.map((r) => r.state)).toEqual(['synced', 'synced', 'synced']);
		const server = await submissionsOnServer();
		expect(after.map((r) => (r.result as SubmissionAccepted).submissionId).sort()).toEqual(
			server.map((s) => s.id).sort()
		);
		expect(after.every((r) => r.syncedAt === now.toISOString() && r.error === null)).toBe(true);
	});

	it('uploads only the images the server lacks, never the PDF', async () => {
		await confirm('env-1', 0);
		await confirm('env-2', 1);
		await drain(deps());
		const [first, second] = submissionPosts().map(
			(r) => (r.body as { images: Record<string, string> }).images
		);
		expect(Object.keys(first!).sort()).toEqual([sha256Hex(sigPng), sha256Hex(sealPng)].sort());
		expect(second).toEqual({});
		const sent = JSON.stringify(requests.map((r) => r.body));
		expect(sent).not.toContain(DOC_HASH + '":');
		expect(requests.some((r) => r.path.includes('document'))).toBe(false);
	});

	it('Y3/Y6: a network failure stops the credential’s queue; later rows do not overtake; back-off then recovery', async () => {
		const made = [await confirm('env-1', 0), await confirm('env-2', 1), await confirm('env-3', 2)];
		faults.set(1, 'offline');
		const report = await drain(deps());
		expect(report.uploaded).toBe(1);
		expect(report.retry?.code).toBe('NETWORK');
		let after = await rows();
		expect(after.map((r) => r.state)).toEqual(['synced', 'pending', 'pending']);
		expect(after[1]).toMatchObject({ attempts: 1, error: { code: 'NETWORK' } });
		// random 0.5 → 3/4 of the first ceiling (5 s).
		expect(after[1]!.nextAttemptAt).toBe(new Date(now.getTime() + 3_750).toISOString());
		expect(report.nextDue).toBe(after[1]!.nextAttemptAt);
		// Row 3 was never tried: the queue stopped at row 2.
		expect(keysPosted()).toEqual([made[0]!.idempotencyKey, made[1]!.idempotencyKey]);

		// Before the back-off expires nothing goes, not even the later row.
		const early = await drain(deps());
		expect(early.uploaded).toBe(0);
		expect(submissionPosts()).toHaveLength(2);

		now = new Date(now.getTime() + 4_000);
		const late = await drain(deps());
		expect(late.uploaded).toBe(2);
		after = await rows();
		expect(after.map((r) => r.state)).toEqual(['synced', 'synced', 'synced']);
		expect((await submissionsOnServer()).map((s) => s.envelope_id)).toEqual([
			'env-1',
			'env-2',
			'env-3'
		]);
	});

	it('Y3: a 500 is retried; the attempts grow and the delay doubles', async () => {
		await confirm('env-1', 0);
		faults.set(0, 'server-error');
		faults.set(1, 'server-error');
		await drain(deps());
		now = new Date(now.getTime() + 60_000);
		await drain(deps());
		const [row] = await rows();
		expect(row).toMatchObject({ state: 'pending', attempts: 2, error: { code: 'INTERNAL' } });
		expect(row!.nextAttemptAt).toBe(new Date(now.getTime() + 7_500).toISOString());
		now = new Date(now.getTime() + 60_000);
		await drain(deps());
		expect((await rows())[0]!.state).toBe('synced');
	});

	it('Y2: a 409 fails the row for good with its evidence; it is never sent again, and later rows still go', async () => {
		const made = [await confirm('env-1', 0), await confirm('env-2', 1), await confirm('env-3', 2)];
		await open.db
			.updateTable('envelopes')
			.set({ status: 'revoked' })
			.where('id', '=', 'env-2')
			.execute();
		const report = await drain(deps());
		expect(report).toMatchObject({ uploaded: 2, refused: 1 });
		const failed = (await rows())[1]!;
		expect(failed.state).toBe('failed');
		expect(failed.error?.code).toBe('DOC_REVOKED');
		expect(failed.result).toMatchObject({ error: { code: 'DOC_REVOKED' } });
		// The evidence stays: manifest and assertion as confirmed.
		expect(failed.manifest).toEqual(made[1]!.manifest);
		expect(failed.assertion).toEqual(made[1]!.assertion);

		now = new Date(now.getTime() + 24 * 3600_000);
		await drain(deps({ force: true }));
		expect(keysPosted().filter((k) => k === made[1]!.idempotencyKey)).toHaveLength(1);
		expect((await rows())[1]!.state).toBe('failed');
	});

	it('Y7: an answer dropped after the server committed, then a crash left in sending: stored exactly once', async () => {
		const made = await confirm('env-1', 0);
		faults.set(0, 'drop-answer');
		await drain(deps());
		let [row] = await rows();
		expect(row).toMatchObject({ state: 'pending', attempts: 1 });
		expect(await submissionsOnServer()).toHaveLength(1);

		// The app dies mid-upload of the retry: the row is left in 'sending'.
		await device.outbox.update(made.id!, { state: 'sending' });
		now = new Date(now.getTime() + 60_000);
		const report = await drain(deps());
		expect(report.uploaded).toBe(1);
		[row] = await rows();
		expect(row!.state).toBe('synced');
		const server = await submissionsOnServer();
		expect(server).toHaveLength(1);
		expect((row!.result as SubmissionAccepted).submissionId).toBe(server[0]!.id);
		// Both attempts carried the same key.
		expect(new Set(keysPosted())).toEqual(new Set([made.idempotencyKey]));
	});

	it('Y4: signed out leaves rows pending with "sign in to sync" and no back-off', async () => {
		await confirm('env-1', 0);
		await confirm('env-2', 1);
		signedIn = false;
		const summary = await runSync(deps());
		expect(summary?.signedOut).toBe(true);
		const after = await rows();
		expect(after.map((r) => [r.state, r.attempts, r.nextAttemptAt])).toEqual([
			['pending', 0, null],
			['pending', 0, null]
		]);
		expect(after[0]!.error?.code).toBe('UNAUTHENTICATED');
		expect(((await device.meta.get('lastSync'))!.value as LastSync).error?.code).toBe(
			'UNAUTHENTICATED'
		);
		signedIn = true;
		await runSync(deps());
		expect((await rows()).map((r) => r.state)).toEqual(['synced', 'synced']);
	});
});

describe('runSync', () => {
	it('drains, then pulls: the device copy learns the other signer’s manifest and image (SHA-256 checked)', async () => {
		await confirm('env-1', 0);
		const first = await runSync(deps());
		expect(first?.error).toBeNull();
		const row = await device.envelopes.get('env-1');
		expect(row?.myState).toBe('signed');
		expect(row?.accepted).toHaveLength(1);

		// Bob signs on his own device and syncs.
		const pool = await topUpTickets(open.db, () => now, bob.id, bobKey.credentialId);
		if (!pool.ok) throw new Error(pool.message);
		const envelope = sampleEnvelope({ id: 'env-1', docHash: DOC_HASH });
		const bobManifest: Manifest = {
			...sampleManifest({ envelopeId: 'env-1', docHash: DOC_HASH }),
			signerId: 'bob',
			credentialId: bobKey.credentialId,
			ticket: { id: pool.value.tickets[0]!.id, nonce: pool.value.tickets[0]!.nonce },
			fills: [{ ...placeOf('f-sig-b', envelope), kind: 'signature', image: sha256Hex(bobPng) }],
			seals: [],
			ridingSeams: []
		};
		const answer = await ingestSubmission(ingestDeps, bob, {
			idempotencyKey: 'bob-key-0001',
			manifest: bobManifest,
			assertion: await bobKey.assert({
				challenge: await manifestChallenge(bobManifest),
				origin: ORIGIN,
				rpId: RP_ID
			}),
			images: { [sha256Hex(bobPng)]: Buffer.from(bobPng).toString('base64') }
		});
		expect(answer.status).toBe(201);

		const second = await runSync(deps());
		expect(second?.error).toBeNull();
		const updated = await device.envelopes.get('env-1');
		expect(updated?.accepted?.map((m) => m.signerId)).toEqual(['alice', 'bob']);
		expect(updated?.status).toBe('completed');
		expect(updated?.definition?.status).toBe('completed');
		const image = await device.blobs.get(sha256Hex(bobPng));
		expect(image?.size).toBe(bobPng.byteLength);
		const last = (await device.meta.get('lastSync'))!.value as LastSync;
		expect(last).toEqual({ at: now.toISOString(), succeededAt: now.toISOString(), error: null });
		// The cursor moved: a third run pulls nothing new.
		requests = [];
		await runSync(deps());
		expect(requests.filter((r) => r.path.startsWith('/api/blobs/'))).toEqual([]);
	});

	it('keeps the device’s own decision while its signature waits in the outbox', async () => {
		await confirm('env-1', 0);
		faults.set(0, 'offline');
		await runSync(deps());
		// The upload never reached the server but the pull did, and the server still says
		// 'pending': the device keeps its own 'signed' while the signature waits in the outbox;
		// an envelope with nothing waiting takes the server's state.
		expect((await device.envelopes.get('env-1'))?.myState).toBe('signed');
		expect((await device.envelopes.get('env-2'))?.myState).toBe('pending');
	});
});

describe('backgroundSync (the service worker, Y9)', () => {
	/** A window that answers the worker's message as the tab's sync engine does. */
	const windowAnswering = (answer: { done: boolean } | null) => ({
		messages: [] as unknown[],
		postMessage(message: unknown, transfer: Transferable[]) {
			this.messages.push(message);
			if (answer) (transfer[0] as MessagePort).postMessage(answer);
		}
	});
	const background = (windows: ReturnType<typeof windowAnswering>[]) => ({
		windows: async () => windows,
		db: () => device,
		fetch: serverFetch,
		now: () => now,
		random: () => 0.5,
		askTimeoutMs: 50
	});

	it('Y9: with no window open the worker drains the outbox itself, in order, and records the run', async () => {
		await confirm('env-1', 0);
		await confirm('env-2', 1);
		await backgroundSync(background([]));
		expect((await rows()).map((r) => r.state)).toEqual(['synced', 'synced']);
		expect((await submissionsOnServer()).map((s) => s.envelope_id)).toEqual(['env-1', 'env-2']);
		const last = (await device.meta.get('lastSync'))?.value as LastSync;
		expect(last).toMatchObject({ error: null, succeededAt: now.toISOString() });
	});

	it('Y9: an open window that answers "done" is left to sync; the worker uploads nothing', async () => {
		await confirm('env-1', 0);
		const tab = windowAnswering({ done: true });
		await backgroundSync(background([tab]));
		expect(tab.messages).toEqual([{ type: 'sealpass:sync' }]);
		expect(submissionPosts()).toHaveLength(0);
	});

	it('Y9: windows that never answer (frozen tabs) do not stop the upload', async () => {
		await confirm('env-1', 0);
		await backgroundSync(background([windowAnswering(null)]));
		expect((await rows()).map((r) => r.state)).toEqual(['synced']);
	});

	it('Y9: rows still waiting (offline) make the sync fail, so the browser tries it again later', async () => {
		await confirm('env-1', 0);
		faults.set(0, 'offline');
		await expect(backgroundSync(background([]))).rejects.toThrow(/1 signature\(s\) still waiting/);
		expect((await rows()).map((r) => r.state)).toEqual(['pending']);
		// The browser's next try comes minutes later, past the row's back-off (Y5).
		now = new Date(now.getTime() + 5 * 60_000);
		await backgroundSync(background([]));
		expect((await rows()).map((r) => r.state)).toEqual(['synced']);
	});
});
