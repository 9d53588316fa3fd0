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
