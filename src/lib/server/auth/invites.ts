import type { Kysely, Selectable, Transaction } from 'kysely';
import { randomInt, randomUUID } from 'node:crypto';
import { failure, type ErrorCode, type Failure } from '$lib/domain/errors';
import type { InviteStatus, InviteSummary, OutboxEntry } from '$lib/domain/api-types';
import { m } from '$lib/paraglide/messages';
import {
	INVITE_CODE_TTL_MINUTES,
	INVITE_CODE_TTL_MS,
	INVITE_RESEND_COOLDOWN_MS
} from '$lib/domain/invite';
import type { Database, InviteTable, User } from '../db/schema';
import type { InvitePurpose } from '$lib/domain/recovery';
import type { Clock } from '../platform/clock';
import { hashToken, newLinkToken } from './tokens';
import { hmacHex, sameMac, serverKey, verificationKeys } from '../platform/secrets';
import { appendAuthEvent } from './auth-events';
import { appendAudit, recordAudit } from '../audit';
import { notifierFor, type Notifiers, type NotifyMessage } from '../platform/notify';
import { attemptMessage, queueMessage } from '../platform/outbox';

/**
 * What an invite bound to an existing account is for (server/recovery): it enrols no new user,
 * and keepPasskeys is the administrator's choice for the account's old passkeys.
 */
export interface BoundInvite {
	userId: string;
	purpose: Exclude<InvitePurpose, 'enrol'>;
	keepPasskeys: boolean;
}

/**
 * What redeeming a bound invite adds to the code (server/recovery): a second secret checked in
 * the same counted attempt (a wrong one counts and locks like a wrong code), and the work done
 * in the redeeming transaction, so the link is spent only together with it.
 */
export interface RedeemExtra {
	matches: (trx: Transaction<Database>, invite: Selectable<InviteTable>) => Promise<boolean>;
	onRedeemed: (trx: Transaction<Database>, invite: Selectable<InviteTable>) => Promise<void>;
}

/** Wrong codes allowed before the invite locks; 5 in 10⁶ leaves a guesser nothing. */
export const MAX_CODE_ATTEMPTS = 5;
export const NAME_MAX = 50;

export interface InviteDeps {
	db: Kysely<Database>;
	clock: Clock;
	origin: string;
	notifiers: Notifiers;
}

/** The stored form of a code: keyed with the invite key (SPEC SEC1) and bound to its invite. */
export function hashCode(inviteId: string, code: string): string {
	return hmacHex(serverKey('invite_code_key'), `${inviteId}:${code}`);
}

/** A new six-digit code and when it stops working: a created invite's and each resent one. */
function newCode(now: Date): { code: string; expiresAt: string } {
	return {
		code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
		expiresAt: new Date(now.getTime() + INVITE_CODE_TTL_MS).toISOString()
	};
}

/** Whether a code is the invite's, under the current invite key or one retired by a rotation. */
function codeMatches(inviteId: string, code: string, stored: string): boolean {
	const text = `${inviteId}:${code}`;
	return verificationKeys('invite_code_key').some((key) => sameMac(hmacHex(key, text), stored));
}

/** Trims a name and checks 1–50 characters (code points, so 李四 is two). */
export function normaliseName(name: string): string | null {
	const trimmed = name.normalize('NFC').trim().replace(/\s+/g, ' ');
	const length = [...trimmed].length;
	return length >= 1 && length <= NAME_MAX ? trimmed : null;
}

/**
 * An e-mail address (lower-cased) or a phone number (digits with an optional +), or null.
 * Normalised so the outbox and the invite list show one spelling per person.
 */
export function normaliseContact(contact: string): string | null {
	const trimmed = contact.normalize('NFKC').trim();
	if (trimmed.includes('@')) {
		return trimmed.length <= 254 && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(trimmed)
			? trimmed.toLowerCase()
			: null;
	}
	const phone = trimmed.replace(/[\s()-]/g, '');
	return /^\+?\d{6,15}$/.test(phone) ? phone : null;
}

/**
 * Creates a signer and their invite, then sends the link and the code through the notifier for
 * the contact. The code is returned to no one but the notifier: the admin who creates the
 * invite cannot also use it without the invitee's channel (the console outbox is the pilot's
 * stand-in for that channel).
 */
export async function createInvite(
	deps: InviteDeps,
	admin: User,
	input: { name: string; contact: string },
	bound?: BoundInvite
): Promise<{ ok: true; inviteId: string; link: string; expiresAt: string } | Failure> {
	const name = normaliseName(input.name);
	if (!name) return failure('REAL_NAME_INVALID', 'Name needs 1–50 characters');
	const contact = normaliseContact(input.contact);
	if (!contact) {
		return failure('CONTACT_INVALID', 'Not an e-mail address or phone number');
	}
	const notifier = notifierFor(deps.notifiers, contact);
	const inviteId = randomUUID();
	const userId = bound?.userId ?? randomUUID();
	const purpose: InvitePurpose = bound?.purpose ?? 'enrol';
	const token = newLinkToken();
	const now = deps.clock();
	const { code, expiresAt } = newCode(now);
	const codeHash = hashCode(inviteId, code);
	const link = `${deps.origin}/invite/${token}`;
	const messageId = await deps.db.transaction().execute(async (trx) => {
		if (!bound)
			await trx
				.insertInto('users')
				.values({
					id: userId,
					org_id: admin.org_id,
					display_name: name,
					role: 'signer',
					created_at: now.toISOString()
				})
				.execute();
		await trx
			.insertInto('invites')
			.values({
				id: inviteId,
				org_id: admin.org_id,
				user_id: userId,
				link_token_hash: hashToken(token),
				code_hash: codeHash,
				contact,
				channel: notifier.channel,
				created_by: admin.id,
				created_at: now.toISOString(),
				expires_at: expiresAt,
				locked_at: null,
				redeemed_at: null,
				purpose,
				keep_passkeys: bound?.keepPasskeys ? 1 : 0
			})
			.execute();
		await appendAudit(
			trx,
			deps.clock,
			admin.id,
			bound
				? {
						kind: 'recovery.issued',
						subject: inviteId,
						data: { userId, channel: notifier.channel, keepPasskeys: bound.keepPasskeys }
					}
				: { kind: 'invite.created', subject: inviteId, data: { userId, channel: notifier.channel } }
		);
		// The message is part of the invitation: both commit, or neither (no invite without its code).
		return queueMessage(trx, deps.clock, admin.org_id, notifier.channel, {
			to: contact,
			...inviteMessage({ name, link, code, token }, purpose)
		});
	});
	await appendAuthEvent(deps.db, deps.clock, {
		kind: 'invite.created',
		userId,
		inviteId,
		detail: { by: admin.id, channel: notifier.channel }
	});
	// Tried at once so the admin hears of a refused address now; the worker retries a failure.
	const sent = await attemptMessage(deps, messageId);
	if (!sent.ok) {
		return failure('NOTIFY_FAILED', sent.error, { inviteId, retrying: true });
	}
	return { ok: true, inviteId, link, expiresAt };
}

/**
 * The invitation in both languages: the link, the code, and when both stop working, so the
 * invitee who opens it late knows to ask for a new one instead of retrying a dead code.
 */
export function inviteMessage(
	input: { name: string; link: string; code: string; token: string },
	purpose: InvitePurpose = 'enrol'
): {
	subject: string;
	body: string;
	sms: NonNullable<NotifyMessage['sms']>;
} {
	const minutes = INVITE_CODE_TTL_MINUTES;
	const [bodyOf, subjectOf] =
		purpose === 'recover'
			? [m.notify_recovery_body, m.notify_recovery_subject]
			: [m.notify_invite_body, m.notify_invite_subject];
	const body = (['zh-CN', 'en'] as const)
		.map((locale) => bodyOf({ ...input, minutes }, { locale }))
		.join('\n\n');
	const subject = `${subjectOf({}, { locale: 'zh-CN' })} / ${subjectOf({}, { locale: 'en' })}`;
	return {
		subject,
		body,
		sms: {
			template: 'invite',
			params: { code: input.code, token: input.token, minutes: String(minutes) }
		}
	};
}

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
			'invites.code_sent_at',
			'invites.locked_at',
			'invites.redeemed_at',
			'invites.purpose',
			'users.display_name'
		])
		.where('invites.link_token_hash', '=', hashToken(input.token))
		.executeTakeFirst();
	if (!invite || invite.redeemed_at) return failure('INVITE_INVALID', 'Unknown or used invite');
	if (invite.locked_at) return failure('CODE_LOCKED', 'Too many wrong codes');
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

/** An invite's state at a moment; redeemed and locked win over expiry. */
export function inviteStatus(
	row: { redeemed_at: string | null; locked_at: string | null; expires_at: string },
	now: Date
): InviteStatus {
	if (row.redeemed_at) return 'redeemed';
	if (row.locked_at) return 'locked';
	return row.expires_at <= now.toISOString() ? 'expired' : 'pending';
}

/** The organisation's invites, newest first, for the admin list. */
export async function listInvites(deps: Pick<InviteDeps, 'db' | 'clock'>, orgId: string) {
	const rows = await deps.db
		.selectFrom('invites')
		.innerJoin('users', 'users.id', 'invites.user_id')
		.select([
			'invites.id',
			'users.display_name',
			'invites.contact',
			'invites.channel',
			'invites.created_at',
			'invites.expires_at',
			'invites.attempts',
			'invites.locked_at',
			'invites.redeemed_at',
			'invites.purpose'
		])
		.where('invites.org_id', '=', orgId)
		.orderBy('invites.created_at', 'desc')
		.limit(200)
		.execute();
	const now = deps.clock();
	return rows.map((r): InviteSummary => ({
		id: r.id,
		name: r.display_name,
		contact: r.contact,
		channel: r.channel,
		status: inviteStatus(r, now),
		attempts: r.attempts,
		createdAt: r.created_at,
		expiresAt: r.expires_at,
		purpose: r.purpose
	}));
}

/**
 * The organisation's console outbox, newest first: how a pilot without mail delivers codes. It
 * holds invite links and codes, so only the admins of the organisation that sent them read it.
 */
export async function listOutbox(db: Kysely<Database>, orgId: string): Promise<OutboxEntry[]> {
	const rows = await db
		.selectFrom('notifications')
		.selectAll()
		.where('org_id', '=', orgId)
		.where('channel', '=', 'console')
		.orderBy('created_at', 'desc')
		.limit(100)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		recipient: r.recipient,
		subject: r.subject,
		body: r.body,
		createdAt: r.created_at
	}));
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
	if (invite.locked_at) return refuse('CODE_LOCKED', 'Too many wrong codes');
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
		return refuse('CODE_LOCKED', 'Too many wrong codes');
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
