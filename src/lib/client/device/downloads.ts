// Downloading a contract for offline use and keeping the inbox rows on the device: the
// workflows over the store that db.ts defines.
import type { EnvelopeResponse, InboxItem } from '$lib/domain/api-types';
import { inOrganisation, mergeInbox } from '$lib/domain/inbox';
import { enterOrganisation } from './organisation';
import { sha256Hex } from '$lib/domain/canonical';
import { api, ApiError } from '../api';
import { toErrorCode } from '$lib/domain/errors';
import { isQuotaError } from './quota';
import { downloadSigningKit, fetchMissingImages } from './signing-kit';
import { manifestImages } from '$lib/domain/manifest';
import { deviceDb, type DeviceDb, type DeviceEnvelope } from './db';

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

/**
 * Fetches a file to keep on the device: never from the HTTP cache (the caller's hash check needs
 * the bytes themselves, never a 304 from a conditional request), with progress, and refused with
 * STORAGE_FULL before reading when the device has no room for it. Throws ApiError: NETWORK,
 * NOT_FOUND, STORAGE_FULL, or the server's own code for another refusal.
 */
export async function downloadBytes(
	url: string,
	onProgress: (p: Progress) => void = () => {}
): Promise<Uint8Array<ArrayBuffer>> {
	let response: Response;
	try {
		response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	if (!response.ok || !response.body) {
		const body = await response.json().catch(() => null);
		const code = toErrorCode(body?.error?.code);
		throw new ApiError(
			response.status === 404 ? 'NOT_FOUND' : code,
			response.status,
			body?.error?.message ?? 'Download failed'
		);
	}
	return readToKeep(response, onProgress);
}

/**
 * Reads a successful response's body to keep on the device: refused with STORAGE_FULL before
 * reading when the announced size does not fit (after, when none was announced), and a broken
 * transfer reported as NETWORK. One place, so every download judges room alike.
 */
export async function readToKeep(
	response: Response,
	onProgress: (p: Progress) => void
): Promise<Uint8Array<ArrayBuffer>> {
	const announced = Number(response.headers.get('Content-Length')) || 0;
	try {
		await ensureRoom(announced);
	} catch (error) {
		await response.body?.cancel();
		throw error;
	}
	let bytes: Uint8Array<ArrayBuffer>;
	try {
		bytes = await readWithProgress(response, onProgress);
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	if (!announced) await ensureRoom(bytes.byteLength);
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
	const bytes = await downloadBytes(
		`/api/envelopes/${encodeURIComponent(id)}/document`,
		onProgress
	);
	if ((await sha256Hex(bytes)) !== envelope.docHash) {
		throw new ApiError('DOWNLOAD_CORRUPT', 0, `The PDF does not hash to ${envelope.docHash}`);
	}
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
				mySignerIds,
				// Whose contract it is (MO8): a copy that lost it would count as the current
				// organisation's, and another organisation's refresh would mark it removed.
				orgId: previous?.orgId,
				sender: previous?.sender
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
 * Deletes the kept final PDF and evidence archive of envelopes the device forgets. Called inside
 * the transaction that deletes their rows (it must include `finals`), so no file outlives its
 * envelope.
 */
async function forgetFinals(db: DeviceDb, ids: readonly string[]): Promise<void> {
	if (ids.length) await db.finals.where('envelopeId').anyOf(ids).delete();
}

/**
 * Frees the space of a download while keeping the inbox entry. Refused while a signature for
 * the envelope waits in the outbox: the copy is what that signature was made on. A kept final
 * PDF and evidence archive stay while the entry does (the device would only fetch them again);
 * they go when the entry goes.
 */
export async function removeDownload(id: string, db: DeviceDb = deviceDb()): Promise<void> {
	await db.transaction('rw', [db.envelopes, db.blobs, db.outbox, db.finals], async () => {
		const row = await db.envelopes.get(id);
		if (!row || row.downloadedAt === null) return;
		const waiting = await db.outbox
			.where('envelopeId')
			.equals(id)
			.filter((o) => o.state !== 'synced')
			.count();
		if (waiting > 0) throw new ApiError('FORBIDDEN', 0, 'Unsynced signatures use this copy');
		// No longer assigned: without the download there is nothing left worth listing.
		if (row.notice === 'removed') {
			await db.envelopes.delete(id);
			await forgetFinals(db, [id]);
		} else
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
 * time of the sync, in one transaction, so the list never shows half a refresh. With the
 * organisation the inbox is of (MO8), only that organisation's rows are merged: the inbox of
 * one membership never removes the contracts of another.
 */
export async function applyInbox(
	items: InboxItem[],
	db: DeviceDb = deviceDb(),
	orgId: string | null = null
): Promise<void> {
	const tables = [db.envelopes, db.meta, db.outbox, db.finals, db.tickets];
	await db.transaction('rw', tables, async () => {
		if (orgId !== null) await enterOrganisation(orgId, db);
		const rows = (await db.envelopes.toArray()).filter((r) => inOrganisation(r, orgId));
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
		await forgetFinals(db, remove);
		await db.meta.put({ key: 'lastInboxSync', value: new Date().toISOString() });
	});
}
