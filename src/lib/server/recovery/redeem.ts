import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Clock } from '../platform/clock';
import { failure, type Failure } from '$lib/domain/errors';
import { recoveryDocumentNumber, type InvitePurpose } from '$lib/domain/recovery';
import { hashToken, idNumberMatches, redeemInvite } from '../auth';
import { appendAudit } from '../audit';
import { endSessionsAndTickets } from '../members';
import { legalRepRedeem } from '../orgs';

/**
 * Spends an invite link. A plain invitation is redeemInvite as ever. A re-enrolment link (RC2,
 * RC3) also needs the ID number of the account's certification, if it has one: typed in a valid
 * form (a malformed one is refused before anything is counted), then compared with the stored
 * keyed hash only after the right code, in the same counted attempt, so wrong numbers lock the
 * link like wrong codes. In the redeeming transaction (RC4), unless the administrator chose to
 * keep them, the account's passkeys are revoked and its sessions and unspent tickets end, as at
 * deactivation; the user id and everything attached to it stay.
 */
export async function redeemLink(
	deps: { db: Kysely<Database>; clock: Clock },
	input: { token: string; code: string; idNumber?: string; ip: string | null }
): Promise<{ ok: true; userId: string; purpose: InvitePurpose } | Failure> {
	const { db, clock } = deps;
	const invite = await db
		.selectFrom('invites')
		.innerJoin('users', 'users.id', 'invites.user_id')
		.select([
			'invites.purpose',
			'users.id_number_hash',
			'users.id_number_masked',
			'users.cert_document_type',
			'users.deactivated_at'
		])
		.where('invites.link_token_hash', '=', hashToken(input.token))
		.executeTakeFirst();
	// A legal representative's request (SPEC LR2) has no second secret and revokes nothing.
	if (invite?.purpose === 'legal_rep') {
		const done = await redeemInvite(deps, input, legalRepRedeem(clock));
		return done.ok ? { ok: true, userId: done.userId, purpose: 'legal_rep' } : done;
	}
	if (!invite || invite.purpose === 'enrol') {
		const done = await redeemInvite(deps, input);
		return done.ok ? { ok: true, userId: done.userId, purpose: 'enrol' } : done;
	}
	if (invite.deactivated_at) return failure('ACCOUNT_DEACTIVATED', 'The account is deactivated');
	let normalised: string | null = null;
	if (invite.id_number_hash) {
		normalised = recoveryDocumentNumber(
			{ documentType: invite.cert_document_type, masked: invite.id_number_masked },
			input.idNumber ?? '',
			clock()
		);
		if (!normalised) return failure('ID_NUMBER_INVALID', 'Not a valid number of that document');
	}
	const done = await redeemInvite(deps, input, {
		// Read again inside the counted attempt: the hash compared is the one stored now.
		matches: async (trx, row) => {
			if (normalised === null) return true;
			const user = await trx
				.selectFrom('users')
				.select('id_number_hash')
				.where('id', '=', row.user_id)
				.executeTakeFirstOrThrow();
			return user.id_number_hash !== null && idNumberMatches(normalised, user.id_number_hash);
		},
		onRedeemed: async (trx, row) => {
			let passkeysRevoked = 0;
			let ended = { sessionsEnded: 0, ticketsRevoked: 0 };
			if (!row.keep_passkeys) {
				const revoked = await trx
					.updateTable('credentials')
					.set({ revoked_at: clock().toISOString() })
					.where('user_id', '=', row.user_id)
					.where('revoked_at', 'is', null)
					.executeTakeFirst();
				passkeysRevoked = Number(revoked.numUpdatedRows);
				ended = await endSessionsAndTickets(trx, clock, row.user_id);
			}
			await appendAudit(trx, clock, row.user_id, {
				kind: 'recovery.completed',
				subject: row.id,
				data: { userId: row.user_id, passkeysRevoked, ...ended, ip: input.ip }
			});
		}
	});
	return done.ok ? { ok: true, userId: done.userId, purpose: invite.purpose } : done;
}
