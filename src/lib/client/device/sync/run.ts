import type { DeviceDb } from '../db';
import { ApiError } from '../../api';
import { drain, type DrainReport, type SyncDeps } from './drain';
import { pull } from './pull';
import { withSyncLock } from './lock';

/** What the device keeps in meta 'lastSync' after every run. */
export interface LastSync {
	/** When the last run ended. */
	at: string;
	/** When a run last reached the server and finished without a connection error. */
	succeededAt: string | null;
	/** The run's error (code + the server's message), null after a clean run. */
	error: { code: string; message: string } | null;
}

/** A run's summary for the engine: its timer and whether the user must sign in. */
export interface SyncSummary {
	drain: DrainReport;
	error: LastSync['error'];
	signedOut: boolean;
}

/**
 * Steps other parts of the app add to every sync run, after the outbox drain and before the
 * pull, each with the device store.
 * engine.svelte.ts registers the saved-signature upload and the seals refresh.
 * A hook that throws does not stop the run; its error is reported as the run's error.
 */
export const syncHooks: ((db: DeviceDb) => Promise<void>)[] = [];

/**
 * One sync run (SPEC Y): drain the outbox, run the hooks, pull the server's changes,
 * record the outcome in meta 'lastSync'. Resolves null when another tab is already syncing.
 * Pulling after the drain means the pull already carries this device's accepted manifests.
 */
export async function runSync(deps: SyncDeps): Promise<SyncSummary | null> {
	return withSyncLock(async () => {
		const { db } = deps;
		const report = await drain(deps);
		let error: LastSync['error'] = report.signedOut
			? { code: 'UNAUTHENTICATED', message: 'Sign in to sync' }
			: report.retry;
		let signedOut = report.signedOut;
		// Whether the server could not be reached (or answered 5xx): the run did not succeed.
		let trouble = report.retry !== null;
		if (!signedOut) {
			for (const hook of syncHooks) {
				try {
					await hook(db);
				} catch (cause) {
					error ??=
						cause instanceof ApiError
							? { code: cause.code, message: cause.message }
							: { code: 'INTERNAL', message: String(cause) };
				}
			}
			const pulled = await pull(deps);
			if (!pulled.ok) {
				signedOut = pulled.outcome.kind === 'signed-out';
				trouble ||= pulled.outcome.kind === 'retry';
				// Signed out with nothing to upload is not an error: a visitor who never signed in
				// has nothing to sync.
				const waiting = await db.outbox.where('state').anyOf('pending', 'sending').count();
				if (!signedOut || waiting > 0) {
					error ??= { code: pulled.outcome.code, message: pulled.outcome.message };
				}
			} else if (pulled.imageErrors > 0) {
				error ??= { code: 'IMAGE_MISSING', message: `${pulled.imageErrors} image(s) unavailable` };
			}
		}
		if (!error && report.refused > 0) {
			const failed = await db.outbox.where('state').equals('failed').toArray();
			const last = failed.sort((a, b) => (b.id ?? 0) - (a.id ?? 0))[0];
			if (last?.error) error = last.error;
		}
		const now = deps.now().toISOString();
		const previous = (await db.meta.get('lastSync'))?.value as LastSync | undefined;
		const reached = !signedOut && !trouble;
		const last: LastSync = {
			at: now,
			succeededAt: reached ? now : (previous?.succeededAt ?? null),
			error
		};
		await db.meta.put({ key: 'lastSync', value: last });
		return { drain: report, error, signedOut };
	});
}
