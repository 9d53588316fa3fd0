import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { failure, type ErrorCode, type Failure } from '$lib/domain/errors';
import { hashToken } from './tokens';
import { appendAuthEvent } from './auth-events';
import { appendAudit, recordAudit } from '../audit';
import { codeMatches, MAX_CODE_ATTEMPTS, type InviteDeps, type RedeemExtra } from './invites';

// Spending an invitation: the counted code check, then the account the link names.

/**
 * Why a locked invite refuses. Wrong codes lock it at the fifth attempt; the only other lock is
 * a newer re-enrolment link for the same account (server/recovery), which leaves fewer attempts
 * and a newer invite behind. Told apart so the holder of a replaced link opens the newest
 * message instead of being told they typed wrong codes and asking for yet another link.
 */
export async function lockedRefusal(
	db: Kysely<Database>,
	invite: { id: string; user_id: string; created_at: string; attempts: number }
): Promise<{ code: 'INVITE_REPLACED' | 'CODE_LOCKED'; message: string }> {
	if (invite.attempts < MAX_CODE_ATTEMPTS) {
		const newer = await db
			.selectFrom('invites')
			.select('id')
			.where('user_id', '=', invite.user_id)
			.where('id', '!=', invite.id)
			.where('created_at', '>=', invite.created_at)
			.executeTakeFirst();
		if (newer) return { code: 'INVITE_REPLACED', message: 'Replaced by a newer link' };
	}
	return { code: 'CODE_LOCKED', message: 'Too many wrong codes' };
}

/**
 * Spends an invite with its code. The attempt is counted FIRST, in one conditional UPDATE
 * (`attempts < 5 AND locked_at IS NULL`, RETURNING), and the code is compared only when that
 * UPDATE counted it, all in one transaction: however many guesses arrive at once, at most five
 * are ever compared, and a right code that arrives after the fifth is refused like any other.
 * The fifth wrong code locks the invite for good. Codes are compared as HMACs in constant time.
 * Every outcome is appended to auth_events.
 */
export async function redeemInvite(
	deps: Pick<InviteDeps, 'db' | 'clock'>,
	input: { token: string; code: string; ip: string | null },
	extra?: RedeemExtra
): Promise<{ ok: true; userId: string; inviteId: string } | Failure> {
	const { db, clock } = deps;
	const invite = await db
		.selectFrom('invites')
		.selectAll()
		.where('link_token_hash', '=', hashToken(input.token))
		.executeTakeFirst();
	const refuse = async (code: ErrorCode, message: string, details?: Record<string, unknown>) => {
		await appendAuthEvent(db, clock, {
			kind: 'invite.refused',
			inviteId: invite?.id ?? null,
			userId: invite?.user_id ?? null,
			ip: input.ip,
			detail: { code }
		});
		await recordAudit(db, clock, null, {
			kind: 'invite.refused',
			subject: invite?.id ?? null,
			data: { code, ip: input.ip }
		});
		return failure(code, message, details);
	};
	if (!invite || invite.redeemed_at) return refuse('INVITE_INVALID', 'Unknown or used invite');
	// A re-enrolment link is spent only with its identity check (server/recovery), never bare.
	if (invite.purpose !== 'enrol' && !extra) return refuse('INVITE_INVALID', 'Not an invitation');
	if (invite.locked_at) {
		const locked = await lockedRefusal(db, invite);
		return refuse(locked.code, locked.message);
	}
	if (invite.expires_at <= clock().toISOString()) return refuse('CODE_EXPIRED', 'The code expired');

	type Outcome = 'redeemed' | 'spent' | 'locked' | { wrong: number; second?: true };
	const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
		const now = clock().toISOString();
		const counted = await trx
			.updateTable('invites')
			.set((eb) => ({ attempts: eb('attempts', '+', 1) }))
			.where('id', '=', invite.id)
			.where('attempts', '<', MAX_CODE_ATTEMPTS)
			.where('locked_at', 'is', null)
			.where('redeemed_at', 'is', null)
			.where('expires_at', '>', now)
			.returning(['attempts', 'code_hash'])
			.executeTakeFirst();
		// Not counted: another request used the last attempt, redeemed it, or it just expired.
		if (!counted) return 'spent';
		const codeRight = codeMatches(invite.id, input.code, counted.code_hash);
		// The second secret is compared only after the right code, in the same counted attempt.
		const secondRight = codeRight && (!extra || (await extra.matches(trx, invite)));
		if (codeRight && secondRight) {
			await trx
				.updateTable('invites')
				.set({ redeemed_at: now })
				.where('id', '=', invite.id)
				.execute();
			await appendAudit(trx, clock, invite.user_id, {
				kind: 'invite.redeemed',
				subject: invite.id,
				data: { userId: invite.user_id, ip: input.ip }
			});
			await extra?.onRedeemed(trx, invite);
			return 'redeemed';
		}
		await appendAudit(trx, clock, null, {
			kind: codeRight ? 'recovery.id_number_wrong' : 'invite.code_wrong',
			subject: invite.id,
			data: { attempts: counted.attempts, ip: input.ip }
		});
		if (counted.attempts < MAX_CODE_ATTEMPTS) {
			return codeRight ? { wrong: counted.attempts, second: true } : { wrong: counted.attempts };
		}
		await trx.updateTable('invites').set({ locked_at: now }).where('id', '=', invite.id).execute();
		await appendAudit(trx, clock, null, {
			kind: 'invite.locked',
			subject: invite.id,
			data: { ip: input.ip }
		});
		return 'locked';
	});

	if (outcome === 'spent') {
		const row = await db
			.selectFrom('invites')
			.select(['redeemed_at', 'locked_at', 'expires_at', 'attempts'])
			.where('id', '=', invite.id)
			.executeTakeFirstOrThrow();
		if (row.redeemed_at) return refuse('INVITE_INVALID', 'Unknown or used invite');
		if (!row.locked_at && row.attempts < MAX_CODE_ATTEMPTS) {
			return refuse('CODE_EXPIRED', 'The code expired');
		}
		const locked = await lockedRefusal(db, { ...invite, attempts: row.attempts });
		return refuse(locked.code, locked.message);
	}
	if (outcome === 'redeemed') {
		await appendAuthEvent(db, clock, {
			kind: 'invite.redeemed',
			inviteId: invite.id,
			userId: invite.user_id,
			ip: input.ip
		});
		return { ok: true, userId: invite.user_id, inviteId: invite.id };
	}
	const attempts = outcome === 'locked' ? MAX_CODE_ATTEMPTS : outcome.wrong;
	await appendAuthEvent(db, clock, {
		kind: 'invite.code_wrong',
		inviteId: invite.id,
		userId: invite.user_id,
		ip: input.ip,
		detail: { attempts }
	});
	if (outcome === 'locked') {
		await appendAuthEvent(db, clock, {
			kind: 'invite.locked',
			inviteId: invite.id,
			userId: invite.user_id,
			ip: input.ip
		});
		return failure('CODE_LOCKED', 'Too many wrong codes');
	}
	const attemptsLeft = MAX_CODE_ATTEMPTS - attempts;
	if (outcome.second) {
		return failure('ID_NUMBER_WRONG', `Wrong ID number; ${attemptsLeft} attempts left`, {
			attemptsLeft
		});
	}
	return failure('CODE_INVALID', `Wrong code; ${attemptsLeft} attempts left`, { attemptsLeft });
}
