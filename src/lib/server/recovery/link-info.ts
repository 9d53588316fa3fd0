import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { failure, type Failure } from '$lib/domain/errors';
import type { InviteLinkInfo } from '$lib/domain/api-types';
import { hashToken } from '../auth';

/**
 * What the page behind an invite link asks before the code (RC2): whether it is an invitation
 * or a re-enrolment, and whether the ID number will be asked for, so the form shows the field at
 * once. Nothing is spent or counted. An unknown or used link is INVITE_INVALID; an expired or
 * locked one still answers, so the page can offer a new code or say it is locked on submit.
 */
export async function inviteLinkInfo(
	deps: { db: Kysely<Database> },
	token: string
): Promise<({ ok: true } & InviteLinkInfo) | Failure> {
	const invite = await deps.db
		.selectFrom('invites')
		.innerJoin('users', 'users.id', 'invites.user_id')
		.select(['invites.purpose', 'invites.redeemed_at', 'users.id_number_hash'])
		.where('invites.link_token_hash', '=', hashToken(token))
		.executeTakeFirst();
	if (!invite || invite.redeemed_at) return failure('INVITE_INVALID', 'Unknown or used link');
	return {
		ok: true,
		purpose: invite.purpose,
		idNumberRequired: invite.purpose === 'recover' && invite.id_number_hash !== null
	};
}
