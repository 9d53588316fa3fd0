import { bootPageSettled, contractIdAt } from '$lib/client/device/contract-boot';

/**
 * How long the app's start waits for the boot script's page 1: past it, a slow device still gets
 * its app (the boot's page is then taken over or taken off the screen by the view).
 */
const BOOT_PAGE_WAIT_MS = 3000;

/**
 * Runs once as the app starts, before the router loads the first route's code. Opening a
 * contract is the one start whose speed signers feel (a long PDF on a phone). On a contract's
 * page the app first waits for the page 1 the contract boot script is drawing, if it draws one
 * (contract-boot.ts): the app's start costs about as much as pdf.js's path to page 1, and beside
 * it pdf.js's worker runs at half speed on a two-core phone (docs/perf.md). Then the view's
 * preload runs now: it takes what the boot script started, or starts the open itself, instead
 * of after the route's code has loaded and run. The import is dynamic: no other start pays for
 * it, and the chunk is the one the route loads anyway.
 */
export async function init(): Promise<void> {
	const id = contractIdAt(location.pathname);
	if (!id) return;
	await bootPageSettled(id, BOOT_PAGE_WAIT_MS);
	void import('$lib/client/device/contract-view.svelte')
		.then(({ preloadContract }) => preloadContract(id))
		.catch(() => undefined);
}
