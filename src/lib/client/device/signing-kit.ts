import type { MySealsResponse, SavedSignatureResponse } from '$lib/domain/api-types';
import { sha256Hex } from '$lib/domain/canonical';
import { manifestImages } from '$lib/domain/manifest';
import type { SealContext } from '$lib/domain/rules';
import { inspectImage, sniffImageType } from '$lib/pdf/images';
import { api, ApiError } from '../api';
import { isQuotaError } from './quota';
// Types only: db.ts calls into this module, so a value import back would be a cycle.
import type { DeviceBlob, DeviceDb, DeviceSeal } from './db';

/** Largest saved signature the server takes (SK3); refused on the device before it is kept. */
export const SIGNATURE_MAX_BYTES = 1024 * 1024;

/** What a signing-kit download left on the device. */
export interface SigningKit {
	seals: DeviceSeal[];
	defaultSignature: string | null;
}

/**
 * The device's view of its seals for the seal rules (R13, R20, R21; SPEC SK5): the seals of its
 * last kit download are the ones it may use, each with one version, the image and size it holds,
 * valid throughout. The device cannot know the server's image history, so it holds a stamp to the
 * seal as it has it now: a stamp made before a kit refresh that changed the seal is refused here,
 * where the signer can stamp again, instead of days later by the server.
 */
export function kitSealContext(
	seals: readonly DeviceSeal[],
	now: Date,
	orgCertState?: unknown
): SealContext {
	return {
		// As of the last kit download (SPEC OC5); unknown (an older server) is not judged here.
		orgCertified: orgCertState === undefined ? undefined : orgCertState === 'certified',
		authorisedSeals: new Set(seals.map((s) => s.id)),
		seals: new Map(
			seals.map((s) => [
				s.id,
				{
					status: 'active' as const,
					versions: [
						{
							imageHash: s.image,
							sizeMm: { width: s.sizeMm.width, height: s.sizeMm.height },
							validFrom: '',
							validUntil: null
						}
					]
				}
			])
		),
		ticketIssuedAt: now.toISOString()
	};
}

/**
 * Downloads one image by its SHA-256 and checks the bytes hash to it (SK4). Why: seal and
 * signature images are drawn into signed PDFs, so a byte flipped on the way must never be kept
 * under the name of the real image. Throws ApiError: NETWORK, NOT_FOUND, DOWNLOAD_CORRUPT.
 */
export async function fetchImage(sha256: string): Promise<DeviceBlob> {
	let response: Response;
	try {
		response = await fetch(`/api/blobs/${encodeURIComponent(sha256)}`, {
			credentials: 'same-origin',
			// The answer is immutable, so a copy damaged on the way into the HTTP cache would be
			// served again on every retry; the device keeps its own verified copy instead.
			cache: 'no-store'
		});
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	if (!response.ok) {
		await response.body?.cancel();
		throw new ApiError(
			response.status === 404 ? 'NOT_FOUND' : response.status >= 500 ? 'INTERNAL' : 'FORBIDDEN',
			response.status,
			`Image ${sha256} could not be downloaded`
		);
	}
	let bytes: Uint8Array<ArrayBuffer>;
	try {
		bytes = new Uint8Array(await response.arrayBuffer());
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	const type = sniffImageType(bytes);
	if ((await sha256Hex(bytes)) !== sha256 || !type) {
		throw new ApiError('DOWNLOAD_CORRUPT', 0, `The image does not hash to ${sha256}`);
	}
	const mediaType = `image/${type}`;
	return {
		sha256,
		data: new Blob([bytes], { type: mediaType }),
		size: bytes.byteLength,
		type: mediaType
	};
}

/**
 * Downloads every image in `hashes` the device lacks, one after another (a field connection
 * does better with one transfer at a time), verified. Nothing is written: the caller stores the
 * result in the same transaction as the rows that use it.
 */
export async function fetchMissingImages(
	db: DeviceDb,
	hashes: Iterable<string>
): Promise<DeviceBlob[]> {
	const wanted = [...new Set(hashes)];
	const present = await db.blobs.bulkGet(wanted);
	const fetched: DeviceBlob[] = [];
	for (const [i, sha256] of wanted.entries()) {
		if (!present[i]) fetched.push(await fetchImage(sha256));
	}
	return fetched;
}

/**
 * Downloads the seals the user may stamp with and their saved signature for offline signing
 * (SK1, SK4). Every missing image is fetched and verified first; then ONE transaction replaces the
 * device's seals with the server's list (a seal no longer authorised disappears), stores the
 * images and sets 'defaultSignature', so the device never holds a seal without its image. A
 * signature saved on this device and not uploaded yet wins over the server's. Images of removed
 * seals are dropped unless something still draws with them (an outbox row, a downloaded
 * envelope's manifests, the saved signature). Throws ApiError (NETWORK, NOT_FOUND,
 * DOWNLOAD_CORRUPT, STORAGE_FULL, UNAUTHENTICATED) and then leaves the device as it was.
 */
export async function downloadSigningKit(db: DeviceDb): Promise<SigningKit> {
	const kit = await api<MySealsResponse>(fetch, '/api/me/seals');
	const pending = (await db.meta.get('defaultSignaturePending'))?.value;
	const wanted = kit.seals.map((s) => s.image);
	if (!pending && kit.defaultSignature) wanted.push(kit.defaultSignature);
	const fetched = await fetchMissingImages(db, wanted);
	const seals: DeviceSeal[] = kit.seals.map((s) => ({
		id: s.id,
		name: s.name,
		shape: s.shape,
		sizeMm: { width: s.sizeMm.width, height: s.sizeMm.height },
		image: s.image
	}));
	let defaultSignature: string | null = null;
	try {
		await db.transaction('rw', [db.seals, db.blobs, db.meta, db.outbox, db.envelopes], async () => {
			for (const blob of fetched) {
				if (!(await db.blobs.get(blob.sha256))) await db.blobs.put(blob);
			}
			// Kept for the signing view, which explains offline why company seals are unavailable.
			if (kit.orgCertState) await db.meta.put({ key: 'orgCertState', value: kit.orgCertState });
			const previous = await db.seals.toArray();
			await db.seals.clear();
			await db.seals.bulkPut(seals);
			// Re-read inside the transaction: a signature saved meanwhile must not be overwritten.
			const stillPending = (await db.meta.get('defaultSignaturePending'))?.value;
			if (stillPending) {
				defaultSignature = String(stillPending);
			} else {
				defaultSignature = kit.defaultSignature;
				if (defaultSignature)
					await db.meta.put({ key: 'defaultSignature', value: defaultSignature });
				else await db.meta.delete('defaultSignature');
			}
			const kept = new Set(seals.map((s) => s.image));
			const gone = previous.map((s) => s.image).filter((image) => !kept.has(image));
			if (gone.length > 0) await dropUnusedImages(db, gone, defaultSignature);
		});
	} catch (error) {
		if (isQuotaError(error)) throw new ApiError('STORAGE_FULL', 0, 'Quota exceeded');
		throw error;
	}
	return { seals, defaultSignature };
}

/** Deletes the given images unless an outbox row, a downloaded envelope or the signature uses them. */
async function dropUnusedImages(
	db: DeviceDb,
	candidates: string[],
	defaultSignature: string | null
): Promise<void> {
	const used = new Set<string>();
	if (defaultSignature) used.add(defaultSignature);
	await db.outbox.each((row) => row.images.forEach((image) => used.add(image)));
	await db.envelopes.each((row) =>
		row.accepted?.forEach((m) => manifestImages(m).forEach((image) => used.add(image)))
	);
	await db.blobs.bulkDelete(candidates.filter((image) => !used.has(image)));
}

/**
 * Keeps a newly drawn signature as the user's default, on the device at once (works offline),
 * and marks it for upload. Why: the signer may save it in a cellar; the sync engine calls
 * uploadPendingSignature when the network is back. The PNG is checked by its bytes first, so a
 * broken image is refused here rather than by the server days later. Returns its SHA-256.
 * Throws ApiError: IMAGE_INVALID, IMAGE_TOO_LARGE, STORAGE_FULL.
 */
export async function saveDefaultSignature(png: Uint8Array, db: DeviceDb): Promise<string> {
	const inspection = inspectImage(png, { maxBytes: SIGNATURE_MAX_BYTES });
	if (!inspection.ok) throw new ApiError(inspection.code, 0, inspection.message);
	if (inspection.type !== 'png')
		throw new ApiError('IMAGE_INVALID', 0, 'A signature must be a PNG');
	const bytes = new Uint8Array(png.byteLength);
	bytes.set(png);
	const sha256 = await sha256Hex(bytes);
	try {
		await db.transaction('rw', db.blobs, db.meta, async () => {
			if (!(await db.blobs.get(sha256))) {
				await db.blobs.put({
					sha256,
					data: new Blob([bytes], { type: 'image/png' }),
					size: bytes.byteLength,
					type: 'image/png'
				});
			}
			await db.meta.put({ key: 'defaultSignature', value: sha256 });
			await db.meta.put({ key: 'defaultSignaturePending', value: sha256 });
		});
	} catch (error) {
		if (isQuotaError(error)) throw new ApiError('STORAGE_FULL', 0, 'Quota exceeded');
		throw error;
	}
	return sha256;
}

/**
 * Uploads the signature saved on this device while offline (PUT /api/me/signature) and clears
 * the pending mark, only if it still names the uploaded image: a newer signature saved during
 * the upload stays pending and goes next time. Returns the uploaded hash, or null when nothing
 * was pending. Throws ApiError as api() does; the mark stays, so a retry sends it again.
 */
export async function uploadPendingSignature(db: DeviceDb): Promise<string | null> {
	const pending = (await db.meta.get('defaultSignaturePending'))?.value;
	if (typeof pending !== 'string') return null;
	const blob = await db.blobs.get(pending);
	if (!blob) {
		// Nothing left to send (storage was cleared under us): waiting would never end.
		await db.meta.delete('defaultSignaturePending');
		return null;
	}
	const bytes = new Uint8Array(await blob.data.arrayBuffer());
	const { image } = await api<SavedSignatureResponse>(fetch, '/api/me/signature', {
		method: 'PUT',
		headers: { 'Content-Type': 'image/png' },
		body: bytes
	});
	if (image !== pending) {
		throw new ApiError('DOWNLOAD_CORRUPT', 0, `The server stored ${image}, not ${pending}`);
	}
	await db.transaction('rw', db.meta, async () => {
		if ((await db.meta.get('defaultSignaturePending'))?.value === pending) {
			await db.meta.delete('defaultSignaturePending');
		}
	});
	return image;
}
