/**
 * Whether an error from IndexedDB means the disk or the origin's quota is full. Why: Dexie wraps
 * the browser's QuotaExceededError, and every writer of large rows must turn it into the one
 * STORAGE_FULL the UI explains, not a generic failure.
 */
export function isQuotaError(error: unknown): boolean {
	const names = [error, (error as { inner?: unknown })?.inner].map((e) => (e as Error)?.name);
	return names.includes('QuotaExceededError');
}
