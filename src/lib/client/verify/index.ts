/** What the verify page uses of the verifier's browser code (a route imports it through here). */
export { STEP_MESSAGES } from './labels';
export { VerifySession } from './session.svelte';
export { checkedContractId, summarise } from './summary';
