import type { App } from '../platform/app';
import type { InviteDeps } from './invites';

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
