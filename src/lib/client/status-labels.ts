import { m } from '$lib/paraglide/messages';
import type { ContractState, EnvelopeStatus, MyState } from '$lib/domain/api-types';

/** A contract's status in the reader's language, the same words on the admin's and the signer's screens. */
export const envelopeStatusLabel: Record<EnvelopeStatus, () => string> = {
	draft: m.status_draft,
	sent: m.status_sent,
	returned: m.life_state_returned,
	completed: m.status_completed,
	revoked: m.status_revoked
};

/**
 * A contract's state (SPEC LC1) in the reader's language: the admin's list and page and the
 * signer's inbox card say the same word for the same state.
 */
export const contractStateLabel: Record<ContractState, () => string> = {
	...envelopeStatusLabel,
	'in-progress': m.life_state_in_progress,
	expired: m.life_state_expired
};

/** Where the signer themselves stand on a contract, as their inbox and contract view say it. */
export const myStateLabel: Record<MyState, () => string> = {
	pending: m.inbox_state_pending,
	signed: m.inbox_state_signed,
	rejected: m.inbox_state_rejected
};
