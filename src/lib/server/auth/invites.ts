import type { Kysely, Selectable, Transaction } from 'kysely';
import { randomInt, randomUUID } from 'node:crypto';
import { failure, type Failure } from '$lib/domain/errors';
import { m } from '$lib/paraglide/messages';
import { INVITE_CODE_TTL_MINUTES, INVITE_CODE_TTL_MS } from '$lib/domain/invite';
import type { Database, InviteTable, NotifyChannel } from '../db/schema';
import type { InvitePurpose } from '$lib/domain/recovery';
import type { Clock } from '../platform/clock';
import { hashToken, newLinkToken } from './tokens';
import { hmacHex, sameMac, serverKey, verificationKeys } from '../platform/secrets';
import { appendAuthEvent } from './auth-events';
import { appendAudit } from '../audit';
import { notifierFor, type Notifiers, type NotifyMessage } from '../platform/notify';
import { attemptMessage, queueMessage } from '../platform/outbox';

/**
 * What an invite other than a plain invitation is for: a re-enrolment (server/recovery) is bound
 * to an existing account and keepPasskeys is the administrator's choice for its old passkeys; a
 * legal representative's request (server/orgs) names an existing member or, with userId null,
 * makes a new one. `alongside` is the request the invite answers, written in the invite's
 * transaction so neither exists without the other.
 */
export interface BoundInvite {
	userId: string | null;
	purpose: Exclude<InvitePurpose, 'enrol'>;
	keepPasskeys: boolean;
	alongside?: (
		trx: Transaction<Database>,
		made: { inviteId: string; userId: string }
	) => Promise<void>;
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
export function newCode(now: Date): { code: string; expiresAt: string } {
	return {
		code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
		expiresAt: new Date(now.getTime() + INVITE_CODE_TTL_MS).toISOString()
	};
}

/** Whether a code is the invite's, under the current invite key or one retired by a rotation. */
export function codeMatches(inviteId: string, code: string, stored: string): boolean {
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

/** Who creates an invite and for which organisation (an operator invites into a new one). */
export interface InviteIssuer {
	id: string;
	org_id: string;
}

/** An invite written in a caller's transaction, sent by finishInvite once that commits. */
export interface WrittenInvite {
	inviteId: string;
	userId: string;
	channel: NotifyChannel;
	link: string;
	expiresAt: string;
	messageId: string;
}

/**
 * Writes an invite and its message in the caller's transaction: for a new person (`role`,
 * signer unless said) also their user row, for a bound invite none. Used by createInvite and by
 * callers whose own change must commit with the invite (a re-enrolment locks the older links, a
 * new organisation gets its first administrator), so there is never a moment with the change but
 * without its invite, or the reverse. Bad input is refused before anything is written.
 */
export async function writeInvite(
	trx: Transaction<Database>,
	deps: Omit<InviteDeps, 'db'>,
	issuer: InviteIssuer,
	input: { name: string; contact: string; role?: 'signer' | 'admin' },
	bound?: BoundInvite
): Promise<({ ok: true } & WrittenInvite) | Failure> {
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
	const link = `${deps.origin}/invite/${token}`;
	if (!bound?.userId)
		await trx
			.insertInto('users')
			.values({
				id: userId,
				org_id: issuer.org_id,
				display_name: name,
				role: input.role ?? 'signer',
				created_at: now.toISOString()
			})
			.execute();
	await trx
		.insertInto('invites')
		.values({
			id: inviteId,
			org_id: issuer.org_id,
			user_id: userId,
			link_token_hash: hashToken(token),
			code_hash: hashCode(inviteId, code),
			contact,
			channel: notifier.channel,
			created_by: issuer.id,
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
		issuer.id,
		purpose === 'recover'
			? {
					kind: 'recovery.issued',
					subject: inviteId,
					data: { userId, channel: notifier.channel, keepPasskeys: bound!.keepPasskeys }
				}
			: { kind: 'invite.created', subject: inviteId, data: { userId, channel: notifier.channel } },
		// Filed under the invite's organisation even when the issuer (the operator) is elsewhere.
		issuer.org_id
	);
	await bound?.alongside?.(trx, { inviteId, userId });
	// The message is part of the invitation: both commit, or neither (no invite without its code).
	const messageId = await queueMessage(trx, deps.clock, issuer.org_id, notifier.channel, {
		to: contact,
		...inviteMessage({ name, link, code, token }, purpose)
	});
	return { ok: true, inviteId, userId, channel: notifier.channel, link, expiresAt, messageId };
}

/**
 * After the invite's transaction committed: its auth event, and the message tried at once so
 * the issuer hears of a refused address now (the worker retries a failure).
 */
export async function finishInvite(
	deps: InviteDeps,
	issuer: InviteIssuer,
	written: WrittenInvite
): Promise<{ ok: true; inviteId: string; link: string; expiresAt: string } | Failure> {
	await appendAuthEvent(deps.db, deps.clock, {
		kind: 'invite.created',
		userId: written.userId,
		inviteId: written.inviteId,
		detail: { by: issuer.id, channel: written.channel }
	});
	const sent = await attemptMessage(deps, written.messageId);
	if (!sent.ok) {
		return failure('NOTIFY_FAILED', sent.error, { inviteId: written.inviteId, retrying: true });
	}
	return { ok: true, inviteId: written.inviteId, link: written.link, expiresAt: written.expiresAt };
}

/**
 * Creates a signer and their invite, then sends the link and the code through the notifier for
 * the contact. The code is returned to no one but the notifier: the admin who creates the
 * invite cannot also use it without the invitee's channel (the console outbox is the pilot's
 * stand-in for that channel).
 */
export async function createInvite(
	deps: InviteDeps,
	admin: InviteIssuer,
	input: { name: string; contact: string },
	bound?: BoundInvite
): Promise<{ ok: true; inviteId: string; link: string; expiresAt: string } | Failure> {
	const written = await deps.db
		.transaction()
		.execute(async (trx) => writeInvite(trx, deps, admin, input, bound));
	return written.ok ? finishInvite(deps, admin, written) : written;
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
			: purpose === 'legal_rep'
				? [m.notify_legalrep_body, m.notify_legalrep_subject]
				: [m.notify_invite_body, m.notify_invite_subject];
	const body = (['zh-CN', 'en'] as const)
		.map((locale) => bodyOf({ ...input, minutes }, { locale }))
		.join('\n\n');
	const subject = `${subjectOf({}, { locale: 'zh-CN' })} / ${subjectOf({}, { locale: 'en' })}`;
	return {
		subject,
		body,
		sms: {
			template: purpose === 'recover' ? 'recovery' : 'invite',
			params: { code: input.code, token: input.token, minutes: String(minutes) }
		}
	};
}
