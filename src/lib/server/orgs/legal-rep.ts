import type { Kysely, Selectable, Transaction } from 'kysely';
import { failure, type Failure } from '$lib/domain/errors';
import { checkDocument, maskDocumentNumber } from '$lib/domain/personal-certification';
import type { RequestOf, LegalRepRequestBody } from '$lib/domain/api-requests';
import type { Database, InviteTable, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import type { Notifiers } from '../platform/notify';
import { createInvite, hashIdNumber, normaliseContact, type RedeemExtra } from '../auth';
import { appendAudit } from '../audit';
import { isFailure, openApplication, recordStep } from './certification';

// 法定代表人认证, the applicant's side (SPEC LR1, LR2): the request to the legal representative,
// sent as an invite of purpose `legal_rep`, and what opening its link records.

export interface LegalRepDeps {
	db: Kysely<Database>;
	clock: Clock;
	origin: string;
	notifiers: Notifiers;
}

/**
 * Asks the legal representative the application names to authorise it (LR1, LR2). The document
 * number is checked and kept only as the keyed hash and mask personal certification uses. The
 * representative is the organisation's active member certified with that number when there is
 * one, otherwise a new signer named as in the application. The invite (link and code to the
 * contact), its message in the outbox and the application's request with its audit entry commit
 * together; an earlier unused request's link is locked, so only the newest works.
 */
export async function requestLegalRep(
	deps: LegalRepDeps,
	admin: User,
	input: RequestOf<typeof LegalRepRequestBody>
): Promise<{ ok: true; inviteId: string; expiresAt: string } | Failure> {
	const now = deps.clock();
	const checked = checkDocument(input.documentType, input.idNumber, now, input.country);
	if (!checked.ok) {
		return failure('ID_NUMBER_INVALID', `Document number refused: ${checked.reason}`, {
			reason: checked.reason
		});
	}
	const contact = normaliseContact(input.contact);
	if (!contact) return failure('CONTACT_INVALID', 'Not an e-mail address or phone number');
	const open = await openApplication(deps.db, admin, now.toISOString());
	if (isFailure(open)) return open;
	const idHash = hashIdNumber(checked.normalised);
	const member = await deps.db
		.selectFrom('users')
		.select('id')
		.where('org_id', '=', admin.org_id)
		.where('id_number_hash', '=', idHash)
		.where('deactivated_at', 'is', null)
		.executeTakeFirst();
	if (open.rep_invite_id) {
		// Locked, not expired: the old link could otherwise ask for a fresh code.
		await deps.db
			.updateTable('invites')
			.set({ locked_at: now.toISOString() })
			.where('id', '=', open.rep_invite_id)
			.where('redeemed_at', 'is', null)
			.where('locked_at', 'is', null)
			.execute();
	}
	const sent = await createInvite(
		deps,
		admin,
		{ name: open.representative, contact },
		{
			userId: member?.id ?? null,
			purpose: 'legal_rep',
			keepPasskeys: true,
			alongside: async (trx, made) => {
				// Read again in the invite's transaction: a decision or another request since the
				// read above rolls this one back rather than overwrite it.
				const still = await trx
					.selectFrom('org_cert_applications')
					.select(['state', 'rep_invite_id'])
					.where('id', '=', open.id)
					.executeTakeFirstOrThrow();
				if (still.state !== 'pending' || still.rep_invite_id !== open.rep_invite_id) {
					throw new Error('certification application changed concurrently');
				}
				await recordStep(trx, deps.clock, admin.id, {
					id: open.id,
					set: {
						method: 'legal_rep',
						rep_contact: contact,
						rep_document_type: checked.type,
						rep_id_hash: idHash,
						rep_id_masked: maskDocumentNumber(checked.normalised),
						rep_user_id: made.userId,
						rep_invite_id: made.inviteId,
						rep_manifest: null,
						rep_assertion: null,
						rep_credential_id: null,
						rep_confirmed_at: null,
						rep_expires_at: null,
						verified_at: null
					},
					audit: { method: 'legal_rep', step: 'requested', detail: made.userId }
				});
			}
		}
	);
	// NOTIFY_FAILED: the request is recorded and its message queued; the outbox retries it.
	if (!sent.ok) return sent;
	return { ok: true, inviteId: sent.inviteId, expiresAt: sent.expiresAt };
}

/**
 * What spending a legal-rep link adds (LR2): no second secret, and the application notes that
 * its representative opened the link, in the redeeming transaction.
 */
export const legalRepRedeem = (clock: Clock): RedeemExtra => ({
	matches: async () => true,
	onRedeemed: async (trx: Transaction<Database>, invite: Selectable<InviteTable>) => {
		const row = await trx
			.selectFrom('org_cert_applications')
			.select('id')
			.where('rep_invite_id', '=', invite.id)
			.executeTakeFirst();
		if (row) {
			await appendAudit(trx, clock, invite.user_id, {
				kind: 'org.cert-verification',
				subject: row.id,
				data: { method: 'legal_rep', step: 'opened' }
			});
		}
	}
});

/**
 * Whether the account a legal-rep link names already has an active passkey: then the link
 * starts no session, and the person signs in with that passkey instead (LR2). The contact was
 * typed by an administrator; a code sent there must not open an existing member's account.
 */
export async function hasActivePasskey(db: Kysely<Database>, userId: string): Promise<boolean> {
	const row = await db
		.selectFrom('credentials')
		.select('id')
		.where('user_id', '=', userId)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return row !== undefined;
}
