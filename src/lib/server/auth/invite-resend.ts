import { failure, type Failure } from '$lib/domain/errors';
import { INVITE_RESEND_COOLDOWN_MS } from '$lib/domain/invite';
import { hashToken } from './tokens';
import { appendAuthEvent } from './auth-events';
import { appendAudit } from '../audit';
import { attemptMessage, queueMessage } from '../platform/outbox';
import { lockedRefusal } from './invite-redeem';
import { hashCode, inviteMessage, newCode, type InviteDeps } from './invites';

// A new code for an invitation whose code expired or never arrived.

/**
 * Sends the invitee a new code for their link (the old one stops working), at most once per
 * INVITE_RESEND_COOLDOWN_MS; an early request is RATE_LIMITED with the seconds left, which the
 * page counts down. The link stays the same and the code's new expiry is in the message. Wrong
 * attempts are not reset: a new code is no new set of guesses, and a locked invite stays locked
 * (the admin invites again). Asked for from the invite page, so anyone holding the link can ask;
 * the code still goes only to the invite's contact.
 */
export async function resendInviteCode(
	deps: InviteDeps,
	input: { token: string; ip: string | null }
): Promise<{ ok: true; expiresAt: string; resendAfterSeconds: number } | Failure> {
	const invite = await deps.db
		.selectFrom('invites')
		.innerJoin('users', 'users.id', 'invites.user_id')
		.select([
			'invites.id',
			'invites.org_id',
			'invites.user_id',
			'invites.contact',
			'invites.channel',
			'invites.created_at',
			'invites.attempts',
			'invites.code_sent_at',
			'invites.locked_at',
			'invites.redeemed_at',
			'invites.purpose',
			'users.display_name'
		])
		.where('invites.link_token_hash', '=', hashToken(input.token))
		.executeTakeFirst();
	if (!invite || invite.redeemed_at) return failure('INVITE_INVALID', 'Unknown or used invite');
	if (invite.locked_at) {
		const locked = await lockedRefusal(deps.db, invite);
		return failure(locked.code, locked.message);
	}
	const now = deps.clock();
	const lastSent = invite.code_sent_at ?? invite.created_at;
	const waitMs = new Date(lastSent).getTime() + INVITE_RESEND_COOLDOWN_MS - now.getTime();
	if (waitMs > 0) {
		const retryAfterSeconds = Math.ceil(waitMs / 1000);
		return failure('RATE_LIMITED', `Wait ${retryAfterSeconds} s for a new code`, {
			retryAfterSeconds
		});
	}
	const { code, expiresAt } = newCode(now);
	const messageId = await deps.db.transaction().execute(async (trx) => {
		// Conditional on the cooldown, so two requests at once send one code, not two.
		const moved = await trx
			.updateTable('invites')
			.set({
				code_hash: hashCode(invite.id, code),
				expires_at: expiresAt,
				code_sent_at: now.toISOString()
			})
			.where('id', '=', invite.id)
			.where('redeemed_at', 'is', null)
			.where('locked_at', 'is', null)
			.where((eb) => eb(eb.fn.coalesce('code_sent_at', 'created_at'), '=', lastSent))
			.executeTakeFirst();
		if (moved.numUpdatedRows !== 1n) return null;
		await appendAudit(trx, deps.clock, null, {
			kind: 'invite.code_resent',
			subject: invite.id,
			data: { ip: input.ip }
		});
		return queueMessage(trx, deps.clock, invite.org_id, invite.channel, {
			to: invite.contact,
			...inviteMessage(
				{
					name: invite.display_name,
					link: `${deps.origin}/invite/${input.token}`,
					code,
					token: input.token
				},
				invite.purpose
			)
		});
	});
	if (!messageId) {
		return failure('RATE_LIMITED', 'A new code was just sent', {
			retryAfterSeconds: INVITE_RESEND_COOLDOWN_MS / 1000
		});
	}
	await appendAuthEvent(deps.db, deps.clock, {
		kind: 'invite.code_resent',
		inviteId: invite.id,
		userId: invite.user_id,
		ip: input.ip
	});
	const sent = await attemptMessage(deps, messageId);
	if (!sent.ok) return failure('NOTIFY_FAILED', sent.error, { retrying: true });
	return { ok: true, expiresAt, resendAfterSeconds: INVITE_RESEND_COOLDOWN_MS / 1000 };
}
