import { liveQuery } from 'dexie';
import { deviceDb, type DeviceDb } from '../db';
import { ApiError } from '../../api';
import { runSync, syncHooks, type LastSync } from './run';
import { BACKGROUND_SYNC_TAG, OUTBOX_EVENT, SW_SYNC_MESSAGE } from './names';
import { downloadSigningKit, uploadPendingSignature } from '../signing-kit';

// Every run also sends a signature saved offline and refreshes the seals the user may use, so a
// revoked seal authorisation leaves the device at its next sync (SPEC SK).
// Signed out is not a hook failure: the pull reports it, and a visitor has nothing to refresh.
const unlessSignedOut =
	(step: (db: DeviceDb) => Promise<unknown>) =>
	async (db: DeviceDb): Promise<void> => {
		try {
			await step(db);
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) return;
			throw error;
		}
	};
syncHooks.push(unlessSignedOut(uploadPendingSignature), unlessSignedOut(downloadSigningKit));

/** setTimeout's ceiling (about 24.8 days); longer waits would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface SyncRegistration extends ServiceWorkerRegistration {
	sync?: { register(tag: string): Promise<void> };
}

/**
 * The sync engine of this tab as rune state: what the indicator shows (items waiting, failed,
 * the last run) and the triggers that start a run — app start, `online`, the tab becoming
 * visible, a committed confirmation ('sealpass:outbox'), the back-off timer, Background Sync
 * (through the service worker), and the 立即同步 button. Runs never overlap in a tab, a trigger
 * during a run queues exactly one more, and the lock in run.ts keeps other tabs out.
 */
class SyncEngine {
	waiting = $state(0);
	failed = $state(0);
	last = $state<LastSync | null>(null);
	running = $state(false);
	/** An error of the device store itself (not the server's): shown like a run's error. */
	localError = $state<string | null>(null);
	private started = false;
	private again = false;
	private forceAgain = false;
	private timer: ReturnType<typeof setTimeout> | null = null;

	/** Subscribes to the outbox and wires the triggers; safe to call twice. */
	start(): void {
		if (this.started || typeof window === 'undefined') return;
		this.started = true;
		const db = deviceDb();
		liveQuery(() => db.outbox.where('state').anyOf('pending', 'sending').count()).subscribe({
			next: (n) => (this.waiting = n)
		});
		liveQuery(() => db.outbox.where('state').equals('failed').count()).subscribe({
			next: (n) => (this.failed = n)
		});
		liveQuery(() => db.meta.get('lastSync')).subscribe({
			next: (row) => (this.last = (row?.value as LastSync | undefined) ?? null)
		});
		window.addEventListener('online', () => void this.trigger());
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') void this.trigger();
		});
		window.addEventListener(OUTBOX_EVENT, () => void this.trigger());
		navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
			if ((event.data as { type?: string } | null)?.type !== SW_SYNC_MESSAGE) return;
			const reply = event.ports[0];
			void this.trigger().then(() => reply?.postMessage({ done: this.waiting === 0 }));
		});
		void this.trigger();
	}

	/** The 立即同步 button: runs now, even for rows waiting on their back-off (Y6). */
	syncNow(): Promise<void> {
		return this.trigger(true);
	}

	/**
	 * Starts a run unless the browser knows it is offline (navigator.onLine false is reliable;
	 * true is only a hint, so "online" never skips an attempt). Offline, Background Sync is asked
	 * to wake us when the connection returns.
	 */
	async trigger(force = false): Promise<void> {
		if (!force && navigator.onLine === false) {
			this.askBackgroundSync();
			return;
		}
		if (this.running) {
			this.again = true;
			this.forceAgain ||= force;
			return;
		}
		this.running = true;
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		try {
			let nextDue: string | null = null;
			do {
				this.again = false;
				const summary = await runSync({
					db: deviceDb(),
					fetch: (input, init) => fetch(input, init),
					now: () => new Date(),
					random: Math.random,
					force
				});
				force = this.forceAgain;
				this.forceAgain = false;
				nextDue = summary?.drain.nextDue ?? null;
				// A trigger that arrived during the run asked for another, but the device may have
				// gone offline meanwhile: the same rule as at the start, or a row confirmed offline
				// would be marked 'sending' by an upload that cannot succeed (and left so if the tab
				// closed in the middle).
				if (this.again && !force && navigator.onLine === false) {
					this.again = false;
					this.askBackgroundSync();
				}
			} while (this.again);
			this.localError = null;
			this.schedule(nextDue);
			if (nextDue) this.askBackgroundSync();
		} catch (error) {
			this.localError = error instanceof Error ? error.message : String(error);
		} finally {
			this.running = false;
		}
	}

	/** The timer trigger (Y8): one timeout at the earliest back-off, replaced by every run. */
	private schedule(due: string | null): void {
		if (!due) return;
		const delay = Math.min(Math.max(0, Date.parse(due) - Date.now()), MAX_TIMER_MS);
		this.timer = setTimeout(() => void this.trigger(), delay);
	}

	/** Where the browser has Background Sync, asks it to fire when the connection returns. */
	private askBackgroundSync(): void {
		if (this.waiting === 0 || !navigator.serviceWorker) return;
		void navigator.serviceWorker.ready
			.then((registration) =>
				(registration as SyncRegistration).sync?.register(BACKGROUND_SYNC_TAG)
			)
			.catch(() => {
				// Not granted (or unsupported): the online event and the timer remain.
			});
	}
}

/** The one sync engine of this tab; the layout starts it. */
export const syncEngine = new SyncEngine();
