import { sha256Hex } from '$lib/domain/canonical';
import { ApiError } from '../api';
import { deviceDb, type DeviceDb } from './db';
import { readToKeep, type Progress } from './downloads';
import { isQuotaError } from './quota';

/**
 * Keeps the server's CJK font on the device (D7): the preview draws date text with it, and
 * render() gives the server's bytes only with the very same font. Fetched at download time,
 * while online, so confirming a contract with a date field works offline. Checked against
 * X-Content-SHA256; blob and meta 'cjkFont' are written in one transaction, so a half-fetched
 * font never looks present. Throws ApiError: NETWORK, STORAGE_FULL, DOWNLOAD_CORRUPT.
 */
export async function ensureCjkFont(
	onProgress: (p: Progress) => void = () => {},
	db: DeviceDb = deviceDb()
): Promise<string> {
	const held = await cjkFontHash(db);
	if (held) return held;
	let response: Response;
	try {
		response = await fetch('/api/fonts/cjk', { credentials: 'same-origin' });
	} catch (error) {
		throw new ApiError('NETWORK', 0, error instanceof Error ? error.message : String(error));
	}
	if (!response.ok || !response.body) {
		await response.body?.cancel();
		throw new ApiError('INTERNAL', response.status, 'Font download failed');
	}
	const expected = response.headers.get('X-Content-SHA256');
	const bytes = await readToKeep(response, onProgress);
	const sha256 = await sha256Hex(bytes);
	if (!expected || sha256 !== expected) {
		throw new ApiError('DOWNLOAD_CORRUPT', 0, `The font does not hash to ${expected}`);
	}
	try {
		await db.transaction('rw', db.blobs, db.meta, async () => {
			await db.blobs.put({
				sha256,
				data: new Blob([bytes], { type: 'font/ttf' }),
				size: bytes.byteLength,
				type: 'font/ttf'
			});
			await db.meta.put({ key: 'cjkFont', value: { sha256 } });
		});
	} catch (error) {
		if (isQuotaError(error)) throw new ApiError('STORAGE_FULL', 0, 'Quota exceeded');
		throw error;
	}
	return sha256;
}

/** The hash of the CJK font held on the device, or null when it is missing (or incomplete). */
export async function cjkFontHash(db: DeviceDb = deviceDb()): Promise<string | null> {
	const meta = (await db.meta.get('cjkFont'))?.value as { sha256?: string } | undefined;
	if (!meta?.sha256) return null;
	return (await db.blobs.get(meta.sha256)) ? meta.sha256 : null;
}
