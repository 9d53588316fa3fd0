import { m } from '$lib/paraglide/messages';
import type { EnvelopeStatus, MyState } from '$lib/domain/api-types';

/** A contract's status in the reader's language, the same words on the admin's and the signer's screens. */
export const envelopeStatusLabel: Record<EnvelopeStatus, () => string> = {
	draft: m.status_draft,
	sent: m.status_sent,
	completed: m.status_completed,
	revoked: m.status_revoked
};

/** Where the signer themselves stand on a contract, as their inbox and contract view say it. */
export const myStateLabel: Record<MyState, () => string> = {
	pending: m.inbox_state_pending,
	signed: m.inbox_state_signed,
	rejected: m.inbox_state_rejected
};
