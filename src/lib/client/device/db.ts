import { Dexie, type EntityTable, type Table } from 'dexie';
import type { Envelope } from '$lib/domain/envelope';
import type { Manifest, SizeMm } from '$lib/domain/manifest';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import type { InboxRowMeta } from '$lib/domain/inbox';

// Dexie switches its debug mode on by itself when the page's URL is on localhost: a console task
// (async stack trace) for every query. The end-to-end tests and `npm run bench` reach the
// production build on localhost, and must see Dexie as a device on the real host runs it; a
// production build runs Dexie alike on every host, and `npm run dev` keeps the debug traces.
if (!import.meta.env.DEV) Dexie.debug = false;

/**
 * An envelope on this device. Every envelope of the inbox has a row (its metadata, so the list
 * works offline); a downloaded one also holds its definition and the accepted manifests, and
 * its PDF sits in `blobs` under `docHash`.
 */
export interface DeviceEnvelope extends InboxRowMeta {
	definition: Envelope | null;
	accepted: Manifest[] | null;
	/**
	 * Which of the definition's signers this device's user is (set on download). Optional: rows
	 * downloaded by an earlier release lack it until downloaded again.
	 */
	mySignerIds?: string[] | null;
}

/**
 * The signers of a row that are this device's user. A row downloaded before the server named
 * them counts every signer as theirs, so its pages stay useful until the next download.
 */
export function mySignerIdsOf(row: DeviceEnvelope | null | undefined): string[] {
	return row?.mySignerIds ?? row?.definition?.signers.map((s) => s.id) ?? [];
}

/** Content-addressed bytes (a PDF, a signature or seal image): stored once per SHA-256. */
export interface DeviceBlob {
	sha256: string;
	data: Blob;
	size: number;
	type: string;
}

/**
 * Device-wide facts. Known keys:
 * - 'lastInboxSync': ISO time of the last inbox refresh;
 * - 'persistence': the result of navigator.storage.persist();
 * - 'deviceCredential': { credentialId, userId } of the passkey that lives on this device (set at
 *   enrolment and at login): tickets are drawn for it and confirmations are asked of it;
 * - 'defaultSignature': the SHA-256 (in `blobs`) of the user's saved signature PNG;
 * - 'defaultSignaturePending': that SHA-256 while the server does not have it yet (saved
 *   offline); cleared by uploadPendingSignature once the server took it;
 * - 'lastSync': { at, error: { code, message } | null } of the last sync run;
 * - 'pullCursor': the opaque cursor of the last pull (of the current organisation's membership);
 * - 'currentOrg': the id of the organisation the device works in now (SPEC MO8);
 * - 'orgCertState': the organisation's certification state from the last signing-kit download;
 * - 'cjkFont': { sha256 } of the server's CJK font in `blobs`, kept when a downloaded contract
 *   has a date field of this user's: the preview draws date text with exactly those bytes.
 */
export interface MetaRow {
	key:
		| 'lastInboxSync'
		| 'persistence'
		| 'deviceCredential'
		| 'defaultSignature'
		| 'defaultSignaturePending'
		| 'lastSync'
		| 'pullCursor'
		| 'currentOrg'
		| (string & {});
	value: unknown;
}

/** A seal this device's user may stamp with, kept for offline use; its PNG is in `blobs`. */
export interface DeviceSeal {
	id: string;
	name: string;
	shape: 'round' | 'oval' | 'square';
	/** Real printed size: render() draws the seal at exactly this size. */
	sizeMm: SizeMm;
	/** SHA-256 of the transparent PNG in `blobs`. */
	image: string;
}

/**
 * A challenge ticket held for offline signing (SPEC D1–D4). Spent on this device by the
 * confirmation that uses it (in the same transaction as the outbox row), so no two manifests
 * ever carry the same ticket.
 */
export interface DeviceTicket {
	id: string;
	nonce: string;
	credentialId: string;
	expiresAt: string;
	/** The outbox row that used it; null while still available. */
	spentBy: number | null;
}

/**
 * A confirmed manifest waiting for upload. Written by the confirmation in one transaction with
 * its images (in `blobs`), its spent ticket and the envelope's new state; drained first-in
 * first-out per credential by the sync engine. Never deleted while unsynced: it is the evidence.
 */
export interface OutboxRow {
	id?: number;
	createdAt: string;
	credentialId: string;
	envelopeId: string;
	manifest: Manifest;
	/** SHA-256 of the canonical manifest = the WebAuthn challenge the passkey signed. */
	manifestHash: string;
	/** Chosen once at confirmation so every retry of this row is the same submission. */
	idempotencyKey: string;
	assertion: AuthenticationResponseJSON;
	/** Image hashes the manifest draws with; bytes in `blobs`, uploaded only if the server lacks them. */
	images: string[];
	/** SHA-256 of the preview PDF the signer confirmed (render of accepted + this manifest). */
	previewHash: string | null;
	/**
	 * The browser said it had no network when the signer confirmed (navigator.onLine false, which
	 * is reliable in that direction), sent beside the manifest as the review's offline evidence.
	 * Absent on rows written before it was recorded.
	 */
	confirmedOffline?: boolean;
	/**
	 * pending: waits for upload; sending: an upload is in flight (a crash leaves it here, and the
	 * next run treats it as pending: the idempotency key makes the retry safe); failed: refused
	 * with a 4xx the device must not retry (the error says why); synced: accepted by the server.
	 */
	state: 'pending' | 'sending' | 'failed' | 'synced';
	attempts: number;
	/** Earliest time of the next automatic attempt (back-off); null = now. */
	nextAttemptAt: string | null;
	error: { code: string; message: string } | null;
	/** The server's answer: the acceptance, or the refusal body kept with the evidence. */
	result: SubmissionAccepted | SubmissionRefused | null;
	syncedAt: string | null;
}

/** Which file of a finished contract: the signed final PDF or the evidence archive. */
export type FinalKind = 'pdf' | 'evidence';

/**
 * A finished contract's file kept on the device so the signer can save it offline: the signed
 * final PDF (fetched in the background once the contract is finalised) or the evidence archive
 * (fetched when asked for). Stored only after its bytes were checked against the contract's
 * finalSha256; deleted with the envelope row it belongs to.
 */
export interface DeviceFinalFile {
	envelopeId: string;
	kind: FinalKind;
	/** SHA-256 of `data`; for the PDF it is the envelope's finalSha256. */
	sha256: string;
	data: Blob;
	size: number;
	storedAt: string;
}

/**
 * The device store. Each schema change is a new `this.version(n)` block that keeps every
 * earlier block and adds an `.upgrade()` for the data, so a device that skipped releases
 * migrates step by step and never loses a confirmed signature.
 */
export class DeviceDb extends Dexie {
	envelopes!: EntityTable<DeviceEnvelope, 'id'>;
	blobs!: EntityTable<DeviceBlob, 'sha256'>;
	meta!: EntityTable<MetaRow, 'key'>;
	outbox!: EntityTable<OutboxRow, 'id'>;
	seals!: EntityTable<DeviceSeal, 'id'>;
	tickets!: EntityTable<DeviceTicket, 'id'>;
	finals!: Table<DeviceFinalFile, [string, FinalKind]>;

	constructor(name = 'sealpass') {
		super(name);
		// v1: only indexed fields are listed; the rest of each row is stored as is.
		this.version(1).stores({
			envelopes: 'id, docHash, downloadedAt',
			blobs: 'sha256',
			meta: 'key',
			// Drained first-in first-out per credential: [credentialId+id] is that order.
			outbox: '++id, [credentialId+id], envelopeId, state'
		});
		// v2: seals and tickets for offline signing. No released build wrote outbox rows before
		// v2, so the outbox needs no upgrade of its rows.
		this.version(2).stores({
			seals: 'id',
			tickets: 'id, credentialId, expiresAt'
		});
		// v3: the finished contracts' files (final PDF, evidence archive), one row per envelope and
		// kind. A new table only: every earlier table and row is carried over untouched (the
		// schema test opens a v2 store with data and reads it all back through v3).
		this.version(3).stores({
			finals: '[envelopeId+kind], envelopeId'
		});
		// v4 and later go here, e.g.:
		// this.version(4).stores({ ... }).upgrade((tx) => tx.table('envelopes').toCollection().modify(...));
	}
}

let instance: DeviceDb | null = null;

/**
 * The one device store of this tab, opened on first use: importing this module during the
 * build or in a test must not touch IndexedDB.
 */
export function deviceDb(): DeviceDb {
	instance ??= new DeviceDb();
	return instance;
}
