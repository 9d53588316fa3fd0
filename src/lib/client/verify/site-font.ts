import { sha256Hex } from '$lib/domain/canonical';

/*
 * The CJK font this site renders dates with, for the verify worker: an archive names the font
 * by SHA-256 instead of carrying its 10 MB, and the page takes it from its own origin. Kept in
 * Cache Storage once fetched, so a visitor who verified online verifies offline too (the
 * service worker never caches API answers).
 */

const FONT_URL = '/api/fonts/cjk';
const CACHE = 'sealpass-verify-font';

async function openCache(): Promise<Cache | null> {
	try {
		return typeof caches === 'undefined' ? null : await caches.open(CACHE);
	} catch {
		return null;
	}
}

async function bytesOf(response: Response | undefined): Promise<Uint8Array | null> {
	if (!response?.ok) return null;
	return new Uint8Array(await response.arrayBuffer());
}

/**
 * The site's font: the cached copy when it has `sha256`, else a fresh one from the network
 * (cached for next time), else whatever copy there is, so the caller can say which font it
 * found. Null when there is none (offline, never fetched). The caller checks the hash.
 */
export async function siteFont(sha256: string): Promise<Uint8Array | null> {
	const cache = await openCache();
	const cached = await bytesOf(await cache?.match(FONT_URL)).catch(() => null);
	if (cached && (await sha256Hex(cached)) === sha256) return cached;
	try {
		const response = await fetch(FONT_URL, { credentials: 'omit' });
		if (!response.ok) {
			await response.body?.cancel();
			return cached;
		}
		const copy = response.clone();
		const fresh = new Uint8Array(await response.arrayBuffer());
		await cache?.put(FONT_URL, copy).catch(() => {});
		return fresh;
	} catch {
		return cached;
	}
}
