/**
 * A contract's life (SPEC LC): which state it is in, which decisions count, and when it can be
 * signed, resent or edited. Pure, so the server, the admin pages and the signer's inbox show
 * and enforce one answer.
 */
import type { Manifest } from './manifest';
import { isPastDeadline } from './deadline';

/** What the envelopes table stores; "returned" is a mark on a sent row (LC1). */
export type StoredStatus = 'draft' | 'sent' | 'completed' | 'revoked';

/** The status the signing rules see: stored status with the return applied (R3, LC3). */
export type EnvelopeStatus = StoredStatus | 'returned';

/** The state shown to every party (LC1): the status plus what the current round says. */
export type ContractState =
	'draft' | 'sent' | 'in-progress' | 'returned' | 'completed' | 'expired' | 'revoked';

/**
 * LC1, LC3: a sent contract whose round ended in an accepted return is returned until resent.
 * Completed and revoked win: a contract revoked while returned is revoked.
 */
export function envelopeStatus(stored: StoredStatus, returnedAt: string | null): EnvelopeStatus {
	return stored === 'sent' && returnedAt !== null ? 'returned' : stored;
}

/**
 * LC2: the decisions of the current round, i.e. those made for the envelope's current revision.
 * Earlier rounds stay stored as evidence but no longer fill fields, take turns or block a
 * signer, so a signer who returned revision 1 decides again on revision 2.
 */
export function currentRound<T extends Pick<Manifest, 'revision'>>(
	envelope: { revision: number },
	accepted: readonly T[]
): T[] {
	return accepted.filter((m) => m.revision === envelope.revision);
}

/**
 * LC1, LC6, LC7: the state shown on the admin's list and page and the signer's inbox card.
 * `round` is the current round's accepted manifests (LC2); `deadlineAt` is the instant signing
 * closes (DL1) and `now` decides expiry only.
 */
export function contractState(
	status: EnvelopeStatus,
	round: readonly Pick<Manifest, 'decision'>[],
	deadlineAt: string | null,
	now: Date
): ContractState {
	if (status !== 'sent') return status;
	if (isPastDeadline(deadlineAt, now)) return 'expired';
	return round.some((m) => m.decision.kind === 'signed') ? 'in-progress' : 'sent';
}

/** R3: only a sent contract is open for decisions; draft, returned, completed, revoked are not. */
export function openForSigning(status: EnvelopeStatus): boolean {
	return status === 'sent';
}

/** LC5: only a returned contract is resent. */
export function mayResend(status: EnvelopeStatus): boolean {
	return status === 'returned';
}

/** LC4: fields change while a draft, or while returned (before the resend). */
export function fieldsEditable(status: EnvelopeStatus): boolean {
	return status === 'draft' || status === 'returned';
}
