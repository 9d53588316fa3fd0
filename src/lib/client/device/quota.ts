/**
 * Whether an error from IndexedDB means the disk or the origin's quota is full. Why: Dexie wraps
 * the browser's QuotaExceededError, and every writer of large rows must turn it into the one
 * STORAGE_FULL the UI explains, not a generic failure. When the device's disk itself is full,
 * Chromium does not say QuotaExceededError: the write fails as "DataError: Failed to write blobs
 * (IOError)" (the bytes of a blob) or an UnknownError naming an I/O error, which the user met as
 * "the server had a problem".
 */
export function isQuotaError(error: unknown): boolean {
	return [error, (error as { inner?: unknown })?.inner].some((e) => {
		const { name, message } = (e ?? {}) as { name?: unknown; message?: unknown };
		if (name === 'QuotaExceededError') return true;
		return (
			(name === 'DataError' || name === 'UnknownError') &&
			typeof message === 'string' &&
			/failed to write blobs|io ?error|no space|disk (is )?full/i.test(message)
		);
	});
}
