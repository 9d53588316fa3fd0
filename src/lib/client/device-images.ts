import { sha256Hex } from '$lib/domain/canonical';
import { deviceDb, type DeviceDb } from './db';

/**
 * Keeps a PNG on the device under its SHA-256 and returns the hash. Content addressing means a
 * signature drawn twice identically, or a seal shared by contracts, is stored once; the confirm
 * step later finds every image of a draft in `blobs` by the hash the draft names.
 */
export async function storePng(png: Uint8Array, db: DeviceDb = deviceDb()): Promise<string> {
	const sha256 = await sha256Hex(png);
	const copy = new Uint8Array(png);
	await db.transaction('rw', db.blobs, async () => {
		if (await db.blobs.get(sha256)) return;
		await db.blobs.put({
			sha256,
			data: new Blob([copy], { type: 'image/png' }),
			size: copy.byteLength,
			type: 'image/png'
		});
	});
	return sha256;
}

/**
 * Saves a drawn signature as the user's default: the PNG in `blobs` and its hash in meta
 * 'defaultSignature', in one transaction, so one-click signing never names a missing image.
 * (The lead merges this with signing-kit.ts's helper of the same name.)
 */
export async function saveDefaultSignature(
	png: Uint8Array,
	db: DeviceDb = deviceDb()
): Promise<string> {
	const sha256 = await sha256Hex(png);
	const copy = new Uint8Array(png);
	await db.transaction('rw', db.blobs, db.meta, async () => {
		if (!(await db.blobs.get(sha256))) {
			await db.blobs.put({
				sha256,
				data: new Blob([copy], { type: 'image/png' }),
				size: copy.byteLength,
				type: 'image/png'
			});
		}
		await db.meta.put({ key: 'defaultSignature', value: sha256 });
	});
	return sha256;
}
