import type { OpenDatabase } from '../../src/lib/server/db';
import type { User } from '../../src/lib/server/db/schema';
import type { BlobStore } from '../../src/lib/server/platform/blob-store';
import { ingestSubmission, type IngestDeps } from '../../src/lib/server/sync';
import { manifestChallenge } from '../../src/lib/domain/canonical';
import { placeOf, sampleEnvelope, sampleManifest } from '../../src/lib/domain/fixtures';
import type { Manifest } from '../../src/lib/domain/manifest';
import type { SubmissionAccepted, SubmissionRefused } from '../../src/lib/domain/api-types';
import { loadSigningIdentity, type SigningIdentity } from '../../src/lib/server/signing';
import { type FakeAuthenticator } from './fake-authenticator';
import { A4, multiPagePdf } from './test-pdfs';
import { join } from 'node:path';
import { insertSeal } from './seals';
import {
	DOC_HASH,
	grantSeal,
	insertContract,
	insertOrgs,
	insertUsers,
	openTestServer,
	ORIGIN,
	RP_ID,
	testImages,
	ticketPool,
	addPasskey
} from './test-server';

/*
 * A real SQLite file with one organisation, an admin, a signer (alice) with a software passkey,
 * and contracts she may sign, for the review tests and the review benchmark. Submissions go
 * through the real ingest (real WebAuthn verification); nothing about review is faked.
 */

export { ORIGIN };

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
	/** Also fills alice's date field with this text (drawn with the CJK font). */
	date?: string;
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
	const server = await openTestServer('review', { start });
	const { dir, open, db, blobs, deps, now } = server;
	const at = now().toISOString();
	const { sig, seal, images } = await testImages();

	await insertOrgs(db, at, [{ id: 'org' }, { id: 'org-other', name: '别家', nameEn: 'Other' }]);
	const [admin, alice, stranger] = (await insertUsers(db, at, [
		{ id: 'user-admin', role: 'admin' },
		{ id: 'user-alice' },
		{ id: 'user-stranger', role: 'admin', org: 'org-other' }
	])) as [User, User, User];
	const aliceKey = await addPasskey(db, alice.id, at, 'Alice phone');
	const docHash = options.original ? await blobs.put(options.original) : DOC_HASH;
	await db
		.insertInto('blobs')
		.values({
			sha256: docHash,
			size: options.original?.byteLength ?? 1,
			media_type: 'application/pdf',
			created_at: at
		})
		.execute();
	const envelopeOf = (id: string) => {
		const envelope = sampleEnvelope({ id, docHash });
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
	await grantSeal(db, { id: 'auth-1', sealId: 'seal-contract', userId: alice.id, at });

	let tickets: { id: string; nonce: string }[] = [];
	// The pool lists every unused ticket, including those already put into bodies not yet sent.
	const handedOut = new Set<string>();
	const ticket = async () => {
		if (tickets.length === 0) {
			const pool = await ticketPool(db, server.clock, alice.id, aliceKey.credentialId);
			tickets = pool.filter((t) => !handedOut.has(t.id)).map((t) => ({ id: t.id, nonce: t.nonce }));
			if (tickets.length === 0) throw new Error('The ticket pool is full of unsent tickets');
		}
		const next = tickets.shift()!;
		handedOut.add(next.id);
		return next;
	};

	const addContract = (id: string, title = `Contract ${id}`) =>
		insertContract(db, {
			id,
			title,
			at: now().toISOString(),
			signers: { alice: alice.id },
			envelope: envelopeOf(id)
		});

	const body = async (envelopeId: string, options: SignOptions = {}) => {
		const t = await ticket();
		const envelope = envelopeOf(envelopeId);
		const manifest: Manifest = sampleManifest({
			envelopeId,
			docHash,
			credentialId: aliceKey.credentialId,
			ticket: t,
			deviceTime: options.deviceTime ?? now().toISOString(),
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
						},
						...(options.date
							? [{ ...placeOf('f-date-a', envelope), kind: 'date' as const, text: options.date }]
							: [])
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
		setNow: server.setNow,
		now,
		admin: admin,
		alice: alice,
		aliceKey,
		stranger: stranger,
		addContract,
		body,
		sign: async (envelopeId, options) =>
			ingestSubmission(deps, alice, await body(envelopeId, options)),
		close: server.close
	};
}

/**
 * A world for the tests that finalise contracts: contracts alice alone signs (her signature
 * completes them) over a real three-page original, and the signing identity the platform seals
 * them with, made in the world's folder and valid from a day before the clock starts.
 */
export async function createFinalisingWorld(
	start = new Date('2026-03-01T08:00:00Z')
): Promise<{ world: ReviewWorld; identity: SigningIdentity }> {
	const world = await createReviewWorld(start, {
		original: await multiPagePdf([A4, A4, A4]),
		solo: true
	});
	const identity = await loadSigningIdentity(
		{ kind: 'generated', dir: join(world.dir, 'signing') },
		{ now: new Date(start.getTime() - 24 * 3600_000) }
	);
	return { world, identity };
}
