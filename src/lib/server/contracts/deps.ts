import type { App } from '../platform/app';
import { inviteDeps } from '../auth';
import type { ContractDeps } from './common';

/**
 * The running app's contract dependencies: the invite ones (sending a contract invites its
 * signers) plus the blob store and the identity provider.
 */
export function contractDeps(
	app: Pick<App, 'database' | 'clock' | 'config' | 'notifiers' | 'blobs' | 'identity'>
): ContractDeps {
	return { ...inviteDeps(app), blobs: app.blobs, identity: app.identity };
}
