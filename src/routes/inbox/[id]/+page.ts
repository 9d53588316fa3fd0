import { preloadContract } from '$lib/client/device/contract-view.svelte';

/**
 * Runs before the page component is created: starts pdf.js, its worker and the device read of
 * this contract, so they overlap the component's own start instead of following it.
 */
export function load({ params }) {
	preloadContract(params.id);
	return {};
}
