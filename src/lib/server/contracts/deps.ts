import type { App } from '../platform/app';
import { inviteDeps } from '../auth';
import type { ContractDeps } from './common';

/**
 * The running app's contract dependencies: the invite ones (sending a contract invites its
 * signers) plus the blob store.
 */
export function contractDeps(
	app: Pick<App, 'database' | 'clock' | 'config' | 'notifiers' | 'blobs'>
): ContractDeps {
	return { ...inviteDeps(app), blobs: app.blobs };
}
