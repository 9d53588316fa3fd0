/**
 * Runs once as the app starts, before the router loads the first route's code. Opening a
 * contract is the one start whose speed signers feel (a long PDF on a phone), so when the app
 * starts on a contract's page its document starts opening now — pdf.js, its worker, the device
 * read — instead of after the route's code has loaded and run. The import is dynamic: no other
 * start pays for it, and the chunk is the one the route loads anyway.
 */
export function init(): void {
	const contract = /^\/inbox\/([^/]+)$/.exec(location.pathname);
	if (!contract?.[1]) return;
	const id = decodeURIComponent(contract[1]);
	// pdf.js and its worker first, from their own small module: the contract view's module pulls
	// in Dexie and the view's code, and waiting for those to evaluate delayed the worker's start.
	void import('$lib/client/pdf-viewer').then(({ warmPdfjs }) => warmPdfjs()).catch(() => undefined);
	void import('$lib/client/contract-view.svelte')
		.then(({ preloadContract }) => preloadContract(id))
		.catch(() => undefined);
}
