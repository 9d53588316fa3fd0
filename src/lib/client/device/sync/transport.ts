import type { TransportAnswer } from '$lib/domain/sync-policy';

/**
 * One JSON request for the sync engine, answered as { status, body } and never thrown: the sync
 * policy decides what a status means, and "no answer" (offline, reset, a response dropped after
 * the server committed) is status 0. A body that is not JSON reads as null.
 */
export async function requestJson(
	fetcher: typeof fetch,
	path: string,
	init: { method?: 'GET' | 'POST'; json?: unknown } = {}
): Promise<TransportAnswer> {
	let response: Response;
	try {
		response = await fetcher(path, {
			method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
			headers: init.json === undefined ? {} : { 'Content-Type': 'application/json' },
			body: init.json === undefined ? undefined : JSON.stringify(init.json),
			credentials: 'same-origin',
			cache: 'no-store'
		});
	} catch (error) {
		return { status: 0, body: { error: { code: 'NETWORK', message: String(error) } } };
	}
	let body: unknown = null;
	try {
		body = await response.json();
	} catch {
		// The body was cut off or is not ours: an answer without a body. For a 2xx the policy
		// retries, which the idempotency key makes safe.
		if (response.ok) return { status: 0, body: null };
	}
	return { status: response.status, body };
}

/** Base64 of a blob's bytes, in chunks: a spread of a large array overflows the call stack. */
export async function blobToBase64(blob: Blob): Promise<string> {
	const bytes = new Uint8Array(await blob.arrayBuffer());
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) {
		binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	return btoa(binary);
}
