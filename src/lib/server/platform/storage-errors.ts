import type { ErrorCode } from '$lib/domain/errors';

/**
 * Names the storage failures a write can meet with a stable code: a full disk (the blob file's
 * ENOSPC, SQLite's SQLITE_FULL) and a database another writer held past busy_timeout
 * (SQLITE_BUSY). Both codes are 5xx, so a device keeps the item and retries instead of showing
 * an anonymous 500 or giving up. Null for anything else, which stays an internal error.
 */
export function storageFailure(error: unknown): { code: ErrorCode; message: string } | null {
	const code = (error as { code?: unknown } | null)?.code;
	if (typeof code !== 'string') return null;
	if (code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL')) {
		return {
			code: 'SERVER_DISK_FULL',
			message: 'The server is out of disk space; nothing was stored'
		};
	}
	if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
		return {
			code: 'SERVER_BUSY',
			message: 'The database is busy with another writer; nothing was stored'
		};
	}
	return null;
}
