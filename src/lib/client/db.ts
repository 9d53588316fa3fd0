import { Dexie, type EntityTable } from 'dexie';
import type { Envelope } from '$lib/domain/envelope';
import type { Manifest, SizeMm } from '$lib/domain/manifest';
import type {
	EnvelopeResponse,
	InboxItem,
	SubmissionAccepted,
	SubmissionRefused
} from '$lib/domain/api-types';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import { mergeInbox, type InboxRowMeta } from '$lib/domain/inbox';
import { sha256Hex } from '$lib/domain/canonical';
import { api, ApiError } from './api';
import { isQuotaError } from './quota';
import { downloadSigningKit, fetchMissingImages } from './signing-kit';
import { manifestImages } from '$lib/domain/manifest';

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
 * - 'pullCursor': the opaque cursor of the last pull;
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
		// v3 and later go here, e.g.:
		// this.version(3).stores({ ... }).upgrade((tx) => tx.table('envelopes').toCollection().modify(...));
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

/** Download progress: bytes received of the expected total (null when the server sent none). */
export interface Progress {
	loaded: number;
	total: number | null;
}

/** Room kept free beyond the file itself: IndexedDB's own overhead and the rows beside it. */
const QUOTA_MARGIN = 1 << 20;

/**
 * Refuses a write that would not fit, before downloading: a clear STORAGE_FULL beats a
 * QuotaExceededError halfway through, and the signer can free space first. Browsers without
 * estimate() are let through; the transaction still fails cleanly if the disk is full.
 */
export async function ensureRoom(bytes: number): Promise<void> {
	const estimate = await navigator.storage?.estimate?.().catch(() => null);
	if (!estimate || estimate.quota === undefined || estimate.usage === undefined) return;
	if (estimate.quota - estimate.usage < bytes + QUOTA_MARGIN) {
		throw new ApiError(
			'STORAGE_FULL',
			0,
			`Need ${bytes} bytes, ${estimate.quota - estimate.usage} free`
		);
	}
}

/**
 * Reads a response body chunk by chunk so the UI can show progress, then joins the chunks.
 * Content-Length is the total; a body longer than announced is still read (the hash check is
 * what decides whether the bytes are kept).
 */
export async function readWithProgress(
	response: Response,
	onProgress: (p: Progress) => void
): Promise<Uint8Array<ArrayBuffer>> {
	const header = Number(response.headers.get('Content-Length'));
	const total = Number.isFinite(header) && header > 0 ? header : null;
	const reader = response.body!.getReader();
	const chunks: Uint8Array[] = [];
	let loaded = 0;
	onProgress({ loaded, total });
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		loaded += value.byteLength;
		onProgress({ loaded, total });
	}
	const bytes = new Uint8Array(loaded);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return bytes;
}

/** A finished envelope download, and how the signing kit fetched with it fared. */
export interface DownloadedEnvelope extends DeviceEnvelope {
	/**
	 * Why the seals and saved signature could not be refreshed, or null when they were. The
	 * envelope is on the device either way; the device keeps its previous seals.
	 */
	signingKitError: ApiError | null;
}

/**
 * Keeps an envelope on the device for offline use: its definition, the others' accepted manifests,
 * the original PDF and every image those manifests draw with (the preview renders with them). The
 * PDF and each image are checked against their SHA-256 before anything is written, and blobs + row
 * go in one transaction, so the device either has a complete, verified copy or nothing new, never
 * half a contract. Then the signing kit (seals, saved signature) is refreshed once; its failure
 * does not undo the download and is returned as `signingKitError`. Throws ApiError with a stable
 * code: NETWORK, NOT_FOUND, STORAGE_FULL, DOWNLOAD_CORRUPT.
 */
export async function downloadEnvelope(
	id: string,
	onProgress: (p: Progress) => void = () => {},
	db: DeviceDb = deviceDb()
): Promise<DownloadedEnvelope> {
	const { envelope, accepted, mySignerIds } = await api<EnvelopeResponse>(
		fetch,
		`/api/envelopes/${encodeURIComponent(id)}`
	);
	let response: Response;
	try {
		response = await fetch(`/api/envelopes/${encodeURIComponent(id)}/document`, {
			credentials: 'same-origin',
			// The hash check needs the bytes themselves, never a 304 from a conditional request.
			cache: 'no-store'
		});
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	if (!response.ok || !response.body) {
		await response.body?.cancel();
		throw new ApiError(
			response.status === 404 ? 'NOT_FOUND' : 'INTERNAL',
			response.status,
			'Download failed'
		);
	}
	const announced = Number(response.headers.get('Content-Length')) || 0;
	try {
		await ensureRoom(announced);
	} catch (error) {
		await response.body.cancel();
		throw error;
	}
	let bytes: Uint8Array<ArrayBuffer>;
	try {
		bytes = await readWithProgress(response, onProgress);
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	if ((await sha256Hex(bytes)) !== envelope.docHash) {
		throw new ApiError('DOWNLOAD_CORRUPT', 0, `The PDF does not hash to ${envelope.docHash}`);
	}
	if (!announced) await ensureRoom(bytes.byteLength);
	const images = await fetchMissingImages(db, accepted.flatMap(manifestImages));
	const now = new Date().toISOString();
	let stored!: DeviceEnvelope;
	// A full disk aborts the transaction at commit: the request's error is then a bare
	// AbortError and only the native transaction knows why (Chromium's "Failed to write blobs").
	let native: IDBTransaction | null = null;
	try {
		await db.transaction('rw', db.envelopes, db.blobs, async (tx) => {
			native = tx.idbtrans;
			const previous = await db.envelopes.get(id);
			for (const image of images) {
				if (!(await db.blobs.get(image.sha256))) await db.blobs.put(image);
			}
			if (!(await db.blobs.get(envelope.docHash))) {
				await db.blobs.put({
					sha256: envelope.docHash,
					data: new Blob([bytes], { type: 'application/pdf' }),
					size: bytes.byteLength,
					type: 'application/pdf'
				});
			}
			stored = {
				id,
				title: previous?.title ?? '',
				status: envelope.status,
				revision: envelope.revision,
				docHash: envelope.docHash,
				pageCount: envelope.pages.length,
				size: bytes.byteLength,
				myState: previous?.myState ?? 'pending',
				createdAt: previous?.createdAt ?? now,
				downloadedAt: now,
				notice: envelope.status === 'revoked' ? 'revoked' : null,
				definition: envelope,
				accepted,
				mySignerIds
			};
			await db.envelopes.put(stored);
			// A re-download of a new revision replaces the old copy; drop its bytes if unshared.
			if (previous && previous.docHash !== envelope.docHash) {
				await dropBlobIfUnused(db, previous.docHash);
			}
		});
	} catch (error) {
		if (isQuotaError(error) || isQuotaError((native as IDBTransaction | null)?.error)) {
			throw new ApiError('STORAGE_FULL', 0, 'Quota exceeded');
		}
		throw error;
	}
	let signingKitError: ApiError | null = null;
	try {
		await downloadSigningKit(db);
	} catch (error) {
		signingKitError =
			error instanceof ApiError ? error : new ApiError('INTERNAL', 0, String(error));
	}
	return { ...stored, signingKitError };
}

/** Deletes a blob no downloaded envelope refers to; content addressing means others may share it. */
async function dropBlobIfUnused(db: DeviceDb, sha256: string): Promise<void> {
	const users = await db.envelopes
		.where('docHash')
		.equals(sha256)
		.filter((e) => e.downloadedAt !== null)
		.count();
	if (users === 0) await db.blobs.delete(sha256);
}

/**
 * Frees the space of a download while keeping the inbox entry. Refused while a signature for
 * the envelope waits in the outbox: the copy is what that signature was made on.
 */
export async function removeDownload(id: string, db: DeviceDb = deviceDb()): Promise<void> {
	await db.transaction('rw', db.envelopes, db.blobs, db.outbox, async () => {
		const row = await db.envelopes.get(id);
		if (!row || row.downloadedAt === null) return;
		const waiting = await db.outbox
			.where('envelopeId')
			.equals(id)
			.filter((o) => o.state !== 'synced')
			.count();
		if (waiting > 0) throw new ApiError('FORBIDDEN', 0, 'Unsynced signatures use this copy');
		// No longer assigned: without the download there is nothing left worth listing.
		if (row.notice === 'removed') await db.envelopes.delete(id);
		else
			await db.envelopes.put({
				...row,
				downloadedAt: null,
				definition: null,
				accepted: null,
				mySignerIds: null
			});
		await dropBlobIfUnused(db, row.docHash);
	});
}

/** Turns a server inbox item into a device row that holds nothing downloaded yet. */
export function freshRow(item: InboxItem): DeviceEnvelope {
	return { ...item, downloadedAt: null, notice: null, definition: null, accepted: null };
}

/**
 * Writes the server's inbox into the device (mergeInbox decides what is kept) together with the
 * time of the sync, in one transaction, so the list never shows half a refresh.
 */
export async function applyInbox(items: InboxItem[], db: DeviceDb = deviceDb()): Promise<void> {
	await db.transaction('rw', db.envelopes, db.meta, db.outbox, async () => {
		const rows = await db.envelopes.toArray();
		const { put, remove } = mergeInbox(rows, items, freshRow);
		// A signature waiting in the outbox is not on the server yet: keep the device's decision,
		// or the card would fall back to 待签署 until the upload goes through.
		const waiting = new Set(
			(await db.outbox.where('state').anyOf('pending', 'sending').toArray()).map(
				(o) => o.envelopeId
			)
		);
		const before = new Map(rows.map((r) => [r.id, r.myState]));
		for (const row of put) {
			if (waiting.has(row.id)) row.myState = before.get(row.id) ?? row.myState;
		}
		await db.envelopes.bulkPut(put);
		await db.envelopes.bulkDelete(remove);
		await db.meta.put({ key: 'lastInboxSync', value: new Date().toISOString() });
	});
}
