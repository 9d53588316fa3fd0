import { deviceDb, type DeviceDb } from '../db';
import { runSync } from './run';
import { BACKGROUND_SYNC_TAG, SW_SYNC_MESSAGE } from './names';

/** How long a window may take to answer before the worker stops waiting for it. */
const ASK_TIMEOUT_MS = 60_000;

/** The parts of a window client the worker uses (the WebWorker lib is not in our tsconfig). */
export interface WindowLike {
	postMessage(message: unknown, transfer: Transferable[]): void;
}

/** What one Background Sync needs from the service worker; tests pass their own. */
export interface BackgroundDeps {
	/** The open windows of this app (same origin, in scope). */
	windows: () => Promise<readonly WindowLike[]>;
	db: () => DeviceDb;
	fetch: typeof fetch;
	now: () => Date;
	random: () => number;
	askTimeoutMs?: number;
}

/** Asks one window to run its sync engine; its answer, or null when it does not answer. */
function ask(client: WindowLike, timeoutMs: number): Promise<{ done?: boolean } | null> {
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		const timer = setTimeout(() => {
			channel.port1.close();
			resolve(null);
		}, timeoutMs);
		channel.port1.onmessage = (event: MessageEvent) => {
			clearTimeout(timer);
			channel.port1.close();
			resolve((event.data as { done?: boolean } | null) ?? null);
		};
		client.postMessage({ type: SW_SYNC_MESSAGE }, [channel.port2]);
	});
}

/**
 * One Background Sync (SPEC Y9): the outbox is uploaded even when no window
 * of the app is open. Open windows are asked first, because a window's run also sends a
 * signature saved offline and refreshes the seals (its sync hooks). With no window open, or
 * none answering (a frozen tab), the worker runs the very same drain and pull itself; the Web
 * Lock in run.ts, which windows and the worker share, keeps the two from uploading together.
 * Resolves when the outbox is empty; rejects while rows still wait (offline, 5xx, signed out),
 * so the browser fires the sync again later with its own back-off.
 */
export async function backgroundSync(deps: BackgroundDeps): Promise<void> {
	const windows = await deps.windows();
	const timeout = deps.askTimeoutMs ?? ASK_TIMEOUT_MS;
	const answers = await Promise.all(windows.map((client) => ask(client, timeout)));
	if (answers.some((answer) => answer?.done === true)) return;
	const db = deps.db();
	if (answers.every((answer) => answer === null)) {
		await runSync({ db, fetch: deps.fetch, now: deps.now, random: deps.random });
	}
	const waiting = await db.outbox.where('state').anyOf('pending', 'sending').count();
	if (waiting > 0) throw new Error(`SealPass: ${waiting} signature(s) still waiting to sync`);
}

/** The parts of the service worker's global scope the handler uses. */
interface SyncEventLike extends Event {
	tag: string;
	waitUntil(promise: Promise<unknown>): void;
}
interface ServiceWorkerScopeLike {
	clients: {
		matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowLike[]>;
	};
	addEventListener(type: 'sync', listener: (event: SyncEventLike) => void): void;
	fetch: typeof fetch;
}

/**
 * Wires Background Sync into the service worker (the bundle importScripts'd by the generated
 * worker, see vite.config.ts). Other tags are left alone.
 */
export function installBackgroundSync(scope: ServiceWorkerScopeLike): void {
	scope.addEventListener('sync', (event) => {
		if (event.tag !== BACKGROUND_SYNC_TAG) return;
		event.waitUntil(
			backgroundSync({
				windows: () => scope.clients.matchAll({ type: 'window', includeUncontrolled: true }),
				db: deviceDb,
				// Same origin: the session cookie goes with every request, as from a window.
				fetch: (input, init) => scope.fetch(input, init),
				now: () => new Date(),
				random: Math.random
			})
		);
	});
}
