/**
 * The signing tools of the contract view (src/routes/inbox/[id]): the marks in progress, the seal
 * and riding-seam tools, the signature pad, the decision card with the confirm and return flows,
 * and the confirm / return buttons. One module, imported dynamically by the view once page 1 is
 * on screen (AfterFirstScreen), so none of it is downloaded, compiled or started before page 1.
 */
export { Marking } from '$lib/client/device/marking.svelte';
export { default as SignerMarkingTools } from './signer-marking-tools.svelte';
export { default as SigningDecisionCard } from './signing-decision.svelte';
export { default as SigningActions } from './signing-actions.svelte';
export { default as SignaturePadDialog } from './signature-pad.svelte';
