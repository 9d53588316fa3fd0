import { randomUUID } from 'node:crypto';
import { failure, type Failure } from '$lib/domain/errors';
import {
	CODE_LOGIN_PER_CONTACT_HOURLY,
	CODE_LOGIN_RESEND_COOLDOWN_MS
} from '$lib/domain/code-login';
import { INVITE_CODE_TTL_MINUTES } from '$lib/domain/invite';
import { m } from '$lib/paraglide/messages';
import type { Db, User } from '../db/schema';
import { appendAudit } from '../audit';
import { bilingual, notifierFor, type NotifyMessage } from '../platform/notify';
import { queueMessage } from '../platform/outbox';
import { RateLimiter } from '../platform/rate-limit';
import { appendAuthEvent } from './auth-events';
import { hashCode, newCode, normaliseContact, type InviteDeps } from './invites';

// Asking for a sign-in code (SPEC CL1–CL3); spending it is code-login-verify.ts.

// Shared by every server through rate_limits: one code per contact per cooldown (atomic, so two
// requests at once send one code), and a few an hour whatever the cooldown.
const perContactCooldown = new RateLimiter(
	'login-code:contact-cooldown',
	1,
	CODE_LOGIN_RESEND_COOLDOWN_MS
);
const perContactHourly = new RateLimiter(
	'login-code:contact',
	CODE_LOGIN_PER_CONTACT_HOURLY,
	3_600_000
);

/**
 * The member whose registered contact this is (CL1): the contact of their latest invitation,
 * as re-enrolment uses, and only for an account that has completed an invitation (enrolled).
 * An older address a member was once invited at is theirs no longer. Administrators are not
 * offered code sign-in (CL1): their passkey or re-enrolment by another administrator only.
 * When one contact is several accounts' (the same person in two organisations), the account
 * invited most recently at it is the one signed in.
 */
export async function memberAtContact(db: Db, contact: string): Promise<User | null> {
	const candidates = await db
		.selectFrom('invites')
		.innerJoin('users', 'users.id', 'invites.user_id')
		.selectAll('users')
		.where('invites.contact', '=', contact)
		.where('users.role', '=', 'signer')
		.orderBy('invites.created_at', 'desc')
		.execute();
	for (const user of candidates) {
		const latest = await db
			.selectFrom('invites')
			.select('contact')
			.where('user_id', '=', user.id)
			.orderBy('created_at', 'desc')
			.executeTakeFirstOrThrow();
		if (latest.contact !== contact) continue;
		const enrolled = await db
			.selectFrom('invites')
			.select('id')
			.where('user_id', '=', user.id)
			.where('redeemed_at', 'is not', null)
			.executeTakeFirst();
		if (enrolled) return user;
	}
	return null;
}

/** The sign-in code message in both languages, and its SMS form: the fixed code template. */
export function codeLoginMessage(code: string): Omit<NotifyMessage, 'to'> {
	const minutes = INVITE_CODE_TTL_MINUTES;
	return {
		...bilingual(
			(locale) => m.codelogin_notify_subject({}, { locale }),
			(locale) => m.codelogin_notify_body({ code, minutes }, { locale })
		),
		sms: { template: 'code', params: { code, minutes: String(minutes) } }
	};
}

/**
 * Sends a sign-in code to a member's registered contact (CL1–CL3). The answer is the same for
 * a contact that is no member's or an administrator's: a row is written for it too (with a code
 * nobody is sent), so the cooldown and the attempts behave alike and nobody learns from the
 * answer who has an account. A deactivated member is sent the code like anyone else and refused
 * only once it is right (CL5, as MB4 says it only after the passkey). The message is only queued, never sent in
 * this request, so the answer's timing does not tell either; the job runner sends it.
 * A newer code replaces the contact's older unused ones.
 */
export async function requestLoginCode(
	deps: Pick<InviteDeps, 'db' | 'clock' | 'notifiers'>,
	input: { contact: string; ip: string | null }
): Promise<{ ok: true; resendAfterSeconds: number } | Failure> {
	const { db, clock } = deps;
	const contact = normaliseContact(input.contact);
	if (!contact) return failure('CONTACT_INVALID', 'Not an e-mail address or phone number');
	const resendAfterSeconds = CODE_LOGIN_RESEND_COOLDOWN_MS / 1000;
	if (!(await perContactCooldown.take(db, clock, contact))) {
		return failure('RATE_LIMITED', 'A code was just sent; wait for it', {
			retryAfterSeconds: resendAfterSeconds
		});
	}
	if (!(await perContactHourly.take(db, clock, contact))) {
		await appendAuthEvent(db, clock, {
			kind: 'login_code.refused',
			ip: input.ip,
			detail: { code: 'RATE_LIMITED' }
		});
		return failure('RATE_LIMITED', 'Too many codes for this contact; try again later', {
			retryAfterSeconds: 3600
		});
	}
	const member = await memberAtContact(db, contact);
	const now = clock();
	const id = randomUUID();
	const { code, expiresAt } = newCode(now);
	await db.transaction().execute(async (trx) => {
		// Only the newest code works: an older message read later cannot sign anyone in.
		await trx
			.updateTable('login_codes')
			.set({ locked_at: now.toISOString() })
			.where('contact', '=', contact)
			.where('used_at', 'is', null)
			.where('locked_at', 'is', null)
			.execute();
		await trx
			.insertInto('login_codes')
			.values({
				id,
				contact,
				user_id: member?.id ?? null,
				// A contact that is no member's gets a code no one is sent; verify also refuses it.
				code_hash: hashCode(id, member ? code : newCode(now).code),
				created_at: now.toISOString(),
				expires_at: expiresAt,
				locked_at: null,
				used_at: null
			})
			.execute();
		if (!member) return;
		const channel = notifierFor(deps.notifiers, contact).channel;
		await appendAudit(trx, clock, null, {
			kind: 'login.code_sent',
			subject: member.id,
			data: { channel, ip: input.ip }
		});
		// The code goes to the contact on record, which is the one typed only because it matched.
		await queueMessage(trx, clock, member.org_id, channel, {
			to: contact,
			...codeLoginMessage(code)
		});
	});
	await appendAuthEvent(db, clock, {
		kind: 'login_code.requested',
		userId: member?.id ?? null,
		ip: input.ip,
		detail: { loginCodeId: id, member: member !== null }
	});
	return { ok: true, resendAfterSeconds };
}
