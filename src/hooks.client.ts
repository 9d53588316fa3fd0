/**
 * Runs once as the app starts, before the router loads the first route's code. Opening a
 * contract is the one start whose speed signers feel (a long PDF on a phone), so when the app
 * starts on a contract's page the view's preload runs now: it takes what the contract boot script
 * started before the app (contract-boot.ts), or starts the open itself, instead of after the
 * route's code has loaded and run. The import is dynamic: no other start pays for it, and the
 * chunk is the one the route loads anyway.
 */
export function init(): void {
	const contract = /^\/inbox\/([^/]+)$/.exec(location.pathname);
	if (!contract?.[1]) return;
	const id = decodeURIComponent(contract[1]);
	void import('$lib/client/device/contract-view.svelte')
		.then(({ preloadContract }) => preloadContract(id))
		.catch(() => undefined);
}
