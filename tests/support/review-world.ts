import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrateToLatest, type OpenDatabase } from '../../src/lib/server/db';
import type { User } from '../../src/lib/server/db/schema';
import { BlobStore } from '../../src/lib/server/platform/blob-store';
import { ingestSubmission, type IngestDeps } from '../../src/lib/server/sync/ingest';
import { topUpTickets } from '../../src/lib/server/auth/tickets';
import { definitionJson } from '../../src/lib/server/contracts/envelopes';
import { manifestChallenge } from '../../src/lib/domain/canonical';
import { placeOf, sampleEnvelope, sampleManifest } from '../../src/lib/domain/fixtures';
import type { Manifest } from '../../src/lib/domain/manifest';
import type { SubmissionAccepted, SubmissionRefused } from '../../src/lib/domain/api-types';
import {
	createFakeAuthenticator,
	insertCredential,
	type FakeAuthenticator
} from './fake-authenticator';
import { discSealPng, sha256Hex, signaturePng } from './images';
import { insertSeal } from './seals';

/*
 * A real SQLite file with one organisation, an admin, a signer (alice) with a software passkey,
 * and contracts she may sign, for the review tests and the review benchmark. Submissions go
 * through the real ingest (real WebAuthn verification); nothing about review is faked.
 */

export const ORIGIN = 'https://sign.example.cn';
const RP_ID = 'sign.example.cn';
const FAKE_DOC_HASH = 'd'.repeat(64);

export interface ReviewWorld {
	dir: string;
	open: OpenDatabase;
	blobs: BlobStore;
	deps: IngestDeps;
	/** Moves the server clock. */
	setNow: (date: Date) => void;
	now: () => Date;
	admin: User;
	alice: User;
	aliceKey: FakeAuthenticator;
	/** An admin of another organisation, who must see none of this one. */
	stranger: User;
	/** Adds a sent contract alice signs first (sequential, like the fixture). */
	addContract: (id: string, title?: string) => Promise<void>;
	/** A request body alice's device would send for one contract. */
	body: (envelopeId: string, options?: SignOptions) => Promise<WorldBody>;
	/** Ingests it for real. */
	sign: (
		envelopeId: string,
		options?: SignOptions
	) => Promise<{ status: number; body: SubmissionAccepted | SubmissionRefused }>;
	close: () => Promise<void>;
}

/** A POST /api/submissions body as alice's device sends it. */
export interface WorldBody {
	idempotencyKey: string;
	manifest: Manifest;
	assertion: Awaited<ReturnType<FakeAuthenticator['assert']>>;
	images: Record<string, string>;
}

export interface SignOptions {
	deviceTime?: string;
	reject?: string;
	bogusSignature?: boolean;
}

export interface WorldOptions {
	/**
	 * A real original PDF (three pages, as the fixture envelope has), stored in the blob store,
	 * for tests that render; without it the contracts name a document nobody reads.
	 */
	original?: Uint8Array;
	/** Contracts ask only alice's fields, so her signature completes them. */
	solo?: boolean;
}

/** Creates the world in a fresh temporary folder; call close() to remove it. */
export async function createReviewWorld(
	start = new Date('2026-03-01T08:00:00Z'),
	options: WorldOptions = {}
): Promise<ReviewWorld> {
	let now = start;
	const dir = await mkdtemp(join(tmpdir(), 'sealpass-review-'));
	const open = openDatabase(`sqlite:${join(dir, 'app.db')}`);
	await migrateToLatest(open);
	const blobs = new BlobStore(join(dir, 'blobs'), 1 << 24);
	const deps: IngestDeps = { db: open.db, blobs, clock: () => now, origin: ORIGIN };
	const db = open.db;
	const at = now.toISOString();
	const sigPng = await signaturePng();
	const sealPng = await discSealPng();
	const sig = sha256Hex(sigPng);
	const seal = sha256Hex(sealPng);
	const images = {
		[sig]: Buffer.from(sigPng).toString('base64'),
		[seal]: Buffer.from(sealPng).toString('base64')
	};

	await db
		.insertInto('organisations')
		.values([
			{ id: 'org', name: '示例', name_en: 'Demo', created_at: at },
			{ id: 'org-other', name: '别家', name_en: 'Other', created_at: at }
		])
		.execute();
	const user = (id: string, role: User['role'], org = 'org'): User =>
		({
			id,
			org_id: org,
			display_name: id,
			role,
			created_at: at,
			real_name: null,
			id_number_masked: null,
			id_number_hash: null,
			verified_at: null
		}) as User;
	const admin = user('user-admin', 'admin');
	const alice = user('user-alice', 'signer');
	const stranger = user('user-stranger', 'admin', 'org-other');
	await db.insertInto('users').values([admin, alice, stranger]).execute();
	const aliceKey = await createFakeAuthenticator();
	await insertCredential(db, alice.id, aliceKey, at, 'Alice phone');
	const DOC_HASH = options.original ? await blobs.put(options.original) : FAKE_DOC_HASH;
	await db
		.insertInto('blobs')
		.values({
			sha256: DOC_HASH,
			size: options.original?.byteLength ?? 1,
			media_type: 'application/pdf',
			created_at: at
		})
		.execute();
	const envelopeOf = (id: string) => {
		const envelope = sampleEnvelope({ id, docHash: DOC_HASH });
		if (!options.solo) return envelope;
		return {
			...envelope,
			signers: envelope.signers.filter((s) => s.id === 'alice'),
			fields: envelope.fields.filter((f) => f.signerId === 'alice')
		};
	};
	await insertSeal(db, {
		id: 'seal-contract',
		orgId: 'org',
		createdBy: admin.id,
		image: seal,
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

	let tickets: { id: string; nonce: string }[] = [];
	// The pool lists every unused ticket, including those already put into bodies not yet sent.
	const handedOut = new Set<string>();
	const ticket = async () => {
		if (tickets.length === 0) {
			const pool = await topUpTickets(db, () => now, alice.id, aliceKey.credentialId);
			if (!pool.ok) throw new Error(pool.message);
			tickets = pool.value.tickets
				.filter((t) => !handedOut.has(t.id))
				.map((t) => ({ id: t.id, nonce: t.nonce }));
			if (tickets.length === 0) throw new Error('The ticket pool is full of unsent tickets');
		}
		const next = tickets.shift()!;
		handedOut.add(next.id);
		return next;
	};

	const addContract = async (id: string, title = `Contract ${id}`) => {
		const envelope = envelopeOf(id);
		await db
			.insertInto('envelopes')
			.values({
				id,
				org_id: 'org',
				title,
				doc_sha256: DOC_HASH,
				page_count: 3,
				status: 'sent',
				created_at: now.toISOString(),
				definition: definitionJson(envelope)
			})
			.execute();
		await db
			.insertInto('envelope_signers')
			.values([{ envelope_id: id, signer_id: 'alice', user_id: alice.id }])
			.execute();
	};

	const body = async (envelopeId: string, options: SignOptions = {}) => {
		const t = await ticket();
		const envelope = envelopeOf(envelopeId);
		const manifest: Manifest = sampleManifest({
			envelopeId,
			docHash: DOC_HASH,
			credentialId: aliceKey.credentialId,
			ticket: t,
			deviceTime: options.deviceTime ?? now.toISOString(),
			decision: options.reject ? { kind: 'rejected', reason: options.reject } : { kind: 'signed' },
			fills: options.reject
				? []
				: [
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
			userHandle: alice.id,
			bogusSignature: options.bogusSignature
		});
		return {
			idempotencyKey: `key-${crypto.randomUUID()}`,
			manifest,
			assertion,
			images: options.reject ? {} : images
		};
	};

	return {
		dir,
		open,
		blobs,
		deps,
		setNow: (date) => {
			now = date;
		},
		now: () => now,
		admin,
		alice,
		aliceKey,
		stranger,
		addContract,
		body,
		sign: async (envelopeId, options) =>
			ingestSubmission(deps, alice, await body(envelopeId, options)),
		close: async () => {
			await open.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}
