import { SYNC_LOCK } from './names';

/**
 * One tab syncs at a time: two tabs draining the same outbox would send each row
 * twice. Web Locks give a lock the browser releases when the tab dies; `ifAvailable` makes a
 * second tab skip the run instead of queueing behind the first (the first one's results reach
 * it through Dexie). Where Web Locks are missing, a lease in localStorage keeps other tabs out
 * most of the time; it is not atomic, but an overlap only costs a duplicate request, which the
 * idempotency key turns into the same stored answer.
 */
const LEASE_KEY = 'sealpass.syncLease';
const LEASE_MS = 30_000;

let runningHere = false;
const me = Math.random().toString(36).slice(2);

interface Lease {
	owner: string;
	until: number;
}

function readLease(): Lease | null {
	try {
		const lease = JSON.parse(localStorage.getItem(LEASE_KEY) ?? 'null') as Lease | null;
		return lease && typeof lease.until === 'number' ? lease : null;
	} catch {
		return null;
	}
}

function writeLease(until: number): void {
	try {
		localStorage.setItem(LEASE_KEY, JSON.stringify({ owner: me, until }));
	} catch {
		// No storage (private mode, a worker): the in-tab flag and the idempotency key remain.
	}
}

/**
 * Runs `fn` holding the sync lock; resolves null without running it when another run (this tab
 * or another) holds the lock.
 */
export async function withSyncLock<T>(fn: () => Promise<T>): Promise<T | null> {
	if (runningHere) return null;
	const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
	if (locks?.request) {
		return locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) => {
			if (!lock) return null;
			runningHere = true;
			try {
				return await fn();
			} finally {
				runningHere = false;
			}
		});
	}
	const lease = typeof localStorage !== 'undefined' ? readLease() : null;
	if (lease && lease.owner !== me && lease.until > Date.now()) return null;
	runningHere = true;
	writeLease(Date.now() + LEASE_MS);
	// Renewed while the run lasts, so a slow upload on a bad connection keeps the lease.
	const renew = setInterval(() => writeLease(Date.now() + LEASE_MS), LEASE_MS / 3);
	try {
		return await fn();
	} finally {
		clearInterval(renew);
		runningHere = false;
		if (typeof localStorage !== 'undefined' && readLease()?.owner === me) {
			localStorage.removeItem(LEASE_KEY);
		}
	}
}
