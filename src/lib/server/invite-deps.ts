import type { App } from './app';
import type { InviteDeps } from './invites';
import type { ContractDeps } from './contracts';

/** The running app's invite dependencies, so endpoints stay short. */
export function inviteDeps(
	app: Pick<App, 'database' | 'clock' | 'config' | 'notifiers'>
): InviteDeps {
	return {
		db: app.database.db,
		clock: app.clock,
		origin: app.config.origin,
		notifiers: app.notifiers
	};
}

/** The running app's contract dependencies: the invite ones plus the blob store. */
export function contractDeps(
	app: Pick<App, 'database' | 'clock' | 'config' | 'notifiers' | 'blobs'>
): ContractDeps {
	return { ...inviteDeps(app), blobs: app.blobs };
}
