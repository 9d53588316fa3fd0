import type { Kysely } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenDatabase } from '../../src/lib/server/db';
import { openTestDatabase } from './test-db';
import type { Database, User } from '../../src/lib/server/db/schema';
import { FolderBlobStore } from '../../src/lib/server/platform/blob-folder';
import type { Clock } from '../../src/lib/server/platform/clock';
import { topUpTickets } from '../../src/lib/server/auth';
import { definitionJson } from '../../src/lib/server/contracts';
import type { IngestDeps } from '../../src/lib/server/sync';
import { sampleEnvelope } from '../../src/lib/domain/fixtures';
import type { Envelope } from '../../src/lib/domain/envelope';
import type { CertState } from '../../src/lib/domain/org-certification';
import { discSealPng, sha256Hex, signaturePng } from './images';
import {
	createFakeAuthenticator,
	insertCredential,
	type FakeAuthenticator
} from './fake-authenticator';

/*
 * The pieces every server test world is built of, each written once: a real SQLite file in a
 * temporary folder with a blob store and a movable clock, organisations, users, sent contracts,
 * ticket pools and the signature and seal images a submission carries. The review world, the
 * signer world and the ingest, sync and seal-use tests put these together as they need.
 */

/** The server's public origin in tests: every assertion names it, and ingest checks it. */
export const ORIGIN = 'https://sign.example.cn';
export const RP_ID = 'sign.example.cn';
/** The document hash of the test contracts; its blob row exists, its bytes are never read. */
export const DOC_HASH = 'd'.repeat(64);

export interface TestServer {
	dir: string;
	open: OpenDatabase;
	db: Kysely<Database>;
	blobs: FolderBlobStore;
	/** The ingest dependencies on this database, store and clock. */
	deps: IngestDeps;
	clock: Clock;
	now: () => Date;
	/** Moves the server clock. */
	setNow: (date: Date) => void;
	/** Closes the database and removes the folder. */
	close: () => Promise<void>;
}

/**
 * A migrated database and a blob store in a fresh temporary folder. `prepare` runs on the empty
 * folder before the database opens (the fault tests mount a small filesystem there).
 */
export async function openTestServer(
	prefix: string,
	options: {
		start?: Date;
		blobLimit?: number;
		prepare?: (dir: string) => void;
		/** Runs after the database closes, before the folder is removed (to unmount it). */
		release?: (dir: string) => void;
	} = {}
): Promise<TestServer> {
	// Loaded here, not at the top: the database module uses Vite's import.meta.glob, and the
	// Playwright specs that build worlds from this file's other pieces run without Vite.
	const { migrateToLatest } = await import('../../src/lib/server/db');
	let now = options.start ?? new Date('2026-03-01T08:00:00Z');
	const dir = await mkdtemp(join(tmpdir(), `sealpass-${prefix}-`));
	options.prepare?.(dir);
	const open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	const blobs = new FolderBlobStore(join(dir, 'blobs'), options.blobLimit ?? 1 << 24);
	const clock = () => now;
	return {
		dir,
		open,
		db: open.db,
		blobs,
		deps: { db: open.db, blobs, clock, origin: ORIGIN },
		clock,
		now: clock,
		setNow: (date) => {
			now = date;
		},
		close: async () => {
			await open.close();
			options.release?.(dir);
			await rm(dir, { recursive: true, force: true });
		}
	};
}

/** A database seeded as on a first start, without the demo contract. */
export interface SeededDatabase {
	dir: string;
	/** The database's path, for a raw second connection to it (see openRawConnection). */
	file: string;
	open: OpenDatabase;
	/** The one organisation's admin the seed makes. */
	admin: User;
	/** Closes the database and removes the folder. */
	close: () => Promise<void>;
}

/**
 * A migrated database in a fresh temporary folder, seeded as the app seeds an empty one on
 * first start (one organisation and its admin, no demo), with the test's own clock: for the
 * tests of what an admin's organisation does before any contract exists.
 */
export async function openSeededDatabase(prefix: string, clock: Clock): Promise<SeededDatabase> {
	// Loaded here for the same reason as in openTestServer: both use Vite-only imports.
	const { migrateToLatest } = await import('../../src/lib/server/db');
	const { seedIfEmpty } = await import('../../src/lib/server/platform/seed');
	const dir = await mkdtemp(join(tmpdir(), `sealpass-${prefix}-`));
	const file = join(dir, 'app.db');
	const open = await openTestDatabase(file);
	await migrateToLatest(open);
	await seedIfEmpty(open.db, new FolderBlobStore(join(dir, 'blobs'), 1 << 20), clock, false);
	const admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	return {
		dir,
		file,
		open,
		admin,
		close: async () => {
			await open.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}

/**
 * Organisations by id; 'org' is 示例 / Demo unless named otherwise. They start certified
 * (已认证, SPEC OC5) so the worlds can make and stamp seals; a test of certification asks for
 * another state.
 */
export async function insertOrgs(
	db: Kysely<Database>,
	at: string,
	orgs: { id: string; name?: string; nameEn?: string; certState?: CertState }[] = [{ id: 'org' }]
): Promise<void> {
	await db
		.insertInto('organisations')
		.values(
			orgs.map((o) => ({
				id: o.id,
				name: o.name ?? '示例',
				name_en: o.nameEn ?? 'Demo',
				created_at: at,
				cert_state: o.certState ?? 'certified'
			}))
		)
		.execute();
}

/** Users with their rows as the server reads them back (every column, unset ones null). */
export async function insertUsers(
	db: Kysely<Database>,
	at: string,
	users: { id: string; org?: string; role?: User['role']; displayName?: string }[]
): Promise<User[]> {
	await db
		.insertInto('users')
		.values(
			users.map((u) => ({
				id: u.id,
				org_id: u.org ?? 'org',
				display_name: u.displayName ?? u.id,
				role: u.role ?? 'signer',
				created_at: at
			}))
		)
		.execute();
	const rows = await db
		.selectFrom('users')
		.selectAll()
		.where(
			'id',
			'in',
			users.map((u) => u.id)
		)
		.execute();
	return users.map((u) => rows.find((r) => r.id === u.id)!);
}

/** The blob row of the contracts' document (its bytes are never read by these tests). */
export async function insertDocBlob(
	db: Kysely<Database>,
	at: string,
	hash = DOC_HASH
): Promise<void> {
	await db
		.insertInto('blobs')
		.values({ sha256: hash, size: 1, media_type: 'application/pdf', created_at: at })
		.onConflict((oc) => oc.column('sha256').doNothing())
		.execute();
}

/**
 * A contract row with its definition and who signs as which signer, as sending one leaves it.
 * The envelope defaults to the fixture's (alice then bob) on DOC_HASH.
 */
export async function insertContract(
	db: Kysely<Database>,
	contract: {
		id: string;
		at: string;
		/** Signer id in the definition → the user who signs as it. */
		signers: Record<string, string>;
		org?: string;
		title?: string;
		status?: 'draft' | 'sent';
		envelope?: Envelope;
	}
): Promise<void> {
	const envelope = contract.envelope ?? sampleEnvelope({ id: contract.id, docHash: DOC_HASH });
	await db
		.insertInto('envelopes')
		.values({
			id: contract.id,
			org_id: contract.org ?? 'org',
			title: contract.title ?? `Contract ${contract.id}`,
			doc_sha256: envelope.docHash,
			page_count: 3,
			status: contract.status ?? 'sent',
			created_at: contract.at,
			definition: definitionJson(envelope)
		})
		.execute();
	await db
		.insertInto('envelope_signers')
		.values(
			Object.entries(contract.signers).map(([signerId, userId]) => ({
				envelope_id: contract.id,
				signer_id: signerId,
				user_id: userId
			}))
		)
		.execute();
}

/** A software passkey for the user, registered as the passkeys page leaves one. */
export async function addPasskey(
	db: Kysely<Database>,
	userId: string,
	at: string,
	name?: string
): Promise<FakeAuthenticator> {
	const key = await createFakeAuthenticator();
	await insertCredential(db, userId, key, at, name);
	return key;
}

/** A fresh pool of the passkey's tickets (as the device fetches it); throws when refused. */
export async function ticketPool(
	db: Kysely<Database>,
	clock: Clock,
	userId: string,
	credentialId: string
): Promise<{ id: string; nonce: string }[]> {
	const pool = await topUpTickets(db, clock, userId, credentialId);
	if (!pool.ok) throw new Error(pool.message);
	return pool.value.tickets;
}

/** The first ticket of the passkey's pool, for a test that signs once with it. */
export async function firstTicket(
	server: Pick<TestServer, 'db' | 'clock'>,
	user: Pick<User, 'id'>,
	key: Pick<FakeAuthenticator, 'credentialId'>
): Promise<{ id: string; nonce: string }> {
	return (await ticketPool(server.db, server.clock, user.id, key.credentialId))[0]!;
}

/** A signature and a seal image, by hash, and the base64 images map a submission carries. */
export async function testImages() {
	const sigPng = await signaturePng();
	const sealPng = await discSealPng();
	const sig = sha256Hex(sigPng);
	const seal = sha256Hex(sealPng);
	const images: Record<string, string> = {
		[sig]: Buffer.from(sigPng).toString('base64'),
		[seal]: Buffer.from(sealPng).toString('base64')
	};
	return { sigPng, sealPng, sig, seal, images };
}

/** Lets a user stamp with a seal from `at` on. */
export async function grantSeal(
	db: Kysely<Database>,
	grant: { id: string; sealId: string; userId: string; at: string }
): Promise<void> {
	await db
		.insertInto('seal_authorisations')
		.values({
			id: grant.id,
			seal_id: grant.sealId,
			user_id: grant.userId,
			granted_at: grant.at,
			revoked_at: null
		})
		.execute();
}
