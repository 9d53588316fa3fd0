import { failure, type ErrorCode, type Failure } from '$lib/domain/errors';
import type { Db, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { appendAudit, recordAudit } from '../audit';
import { appendAuthEvent } from './auth-events';
import { codeMatches, MAX_CODE_ATTEMPTS, normaliseContact } from './invites';

// Spending a sign-in code (SPEC CL4–CL6): the counted attempt, then the account it names.

type Outcome =
	| { kind: 'signed-in'; user: User }
	| { kind: 'deactivated'; userId: string }
	| { kind: 'spent' }
	| { kind: 'locked' }
	| { kind: 'wrong'; attempts: number };

/**
 * Checks the code sent to a contact and answers whose account it opens. Only the contact's
 * newest code is tried (a newer one locks the older, CL3). As for invites (IC1) the attempt is
 * counted FIRST, in one conditional UPDATE, and the code compared only when it was counted:
 * at most MAX_CODE_ATTEMPTS codes are ever compared, the last wrong one locks the code, and a
 * right code after that is refused (`CODE_LOCKED`). A code for a contact that is no member's
 * never matches, and fails exactly as a wrong one (CL2). A deactivated member's right code is
 * `ACCOUNT_DEACTIVATED` (CL5) and opens nothing. Every outcome is an auth event; those of a
 * member's code are also in the audit trail.
 */
export async function verifyLoginCode(
	deps: { db: Db; clock: Clock },
	input: { contact: string; code: string; ip: string | null }
): Promise<{ ok: true; user: User } | Failure> {
	const { db, clock } = deps;
	const contact = normaliseContact(input.contact);
	if (!contact) return failure('CONTACT_INVALID', 'Not an e-mail address or phone number');
	const row = await db
		.selectFrom('login_codes')
		.selectAll()
		.where('contact', '=', contact)
		.orderBy('created_at', 'desc')
		.orderBy('id')
		.executeTakeFirst();
	const refuse = async (code: ErrorCode, message: string) => {
		await appendAuthEvent(db, clock, {
			kind: 'login_code.refused',
			userId: row?.user_id ?? null,
			ip: input.ip,
			detail: { code, loginCodeId: row?.id ?? null }
		});
		if (row?.user_id) {
			await recordAudit(db, clock, null, {
				kind: 'login.code_refused',
				subject: row.user_id,
				data: { code, ip: input.ip }
			});
		}
		return failure(code, message);
	};
	// No code was asked for: told as an expired one, which is what the person should do next.
	if (!row || row.used_at) return refuse('CODE_EXPIRED', 'No live code; ask for a new one');
	if (row.locked_at) return refuse('CODE_LOCKED', 'Too many wrong codes, or a newer code was sent');
	if (row.expires_at <= clock().toISOString()) return refuse('CODE_EXPIRED', 'The code expired');

	const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
		const now = clock().toISOString();
		const counted = await trx
			.updateTable('login_codes')
			.set((eb) => ({ attempts: eb('attempts', '+', 1) }))
			.where('id', '=', row.id)
			.where('attempts', '<', MAX_CODE_ATTEMPTS)
			.where('locked_at', 'is', null)
			.where('used_at', 'is', null)
			.where('expires_at', '>', now)
			.returning(['attempts', 'code_hash'])
			.executeTakeFirst();
		// Not counted: another request used the last attempt or the code, or it just expired.
		if (!counted) return { kind: 'spent' };
		const right = row.user_id !== null && codeMatches(row.id, input.code, counted.code_hash);
		if (right && row.user_id) {
			const user = await trx
				.selectFrom('users')
				.selectAll()
				.where('id', '=', row.user_id)
				.executeTakeFirstOrThrow();
			// Spent either way: a deactivated member's code is not tried again.
			await trx.updateTable('login_codes').set({ used_at: now }).where('id', '=', row.id).execute();
			if (user.deactivated_at !== null) return { kind: 'deactivated', userId: user.id };
			await appendAudit(trx, clock, user.id, {
				kind: 'login.code',
				subject: user.id,
				data: { ip: input.ip }
			});
			return { kind: 'signed-in', user };
		}
		if (row.user_id) {
			await appendAudit(trx, clock, null, {
				kind: 'login.code_wrong',
				subject: row.user_id,
				data: { attempts: counted.attempts, ip: input.ip }
			});
		}
		if (counted.attempts < MAX_CODE_ATTEMPTS) return { kind: 'wrong', attempts: counted.attempts };
		await trx.updateTable('login_codes').set({ locked_at: now }).where('id', '=', row.id).execute();
		return { kind: 'locked' };
	});

	switch (outcome.kind) {
		case 'signed-in':
			await appendAuthEvent(db, clock, {
				kind: 'login_code.signed_in',
				userId: outcome.user.id,
				ip: input.ip,
				detail: { loginCodeId: row.id }
			});
			return { ok: true, user: outcome.user };
		case 'deactivated':
			return refuse('ACCOUNT_DEACTIVATED', 'This account was deactivated by an administrator');
		case 'spent': {
			const now = await db
				.selectFrom('login_codes')
				.select(['used_at', 'locked_at', 'attempts'])
				.where('id', '=', row.id)
				.executeTakeFirstOrThrow();
			if (now.used_at) return refuse('CODE_EXPIRED', 'The code was used');
			if (!now.locked_at && now.attempts < MAX_CODE_ATTEMPTS) {
				return refuse('CODE_EXPIRED', 'The code expired');
			}
			return refuse('CODE_LOCKED', 'Too many wrong codes');
		}
		case 'locked':
			await appendAuthEvent(db, clock, {
				kind: 'login_code.locked',
				userId: row.user_id,
				ip: input.ip,
				detail: { loginCodeId: row.id }
			});
			if (row.user_id) {
				await recordAudit(db, clock, null, {
					kind: 'login.code_locked',
					subject: row.user_id,
					data: { ip: input.ip }
				});
			}
			return failure('CODE_LOCKED', 'Too many wrong codes');
		case 'wrong': {
			await appendAuthEvent(db, clock, {
				kind: 'login_code.wrong',
				userId: row.user_id,
				ip: input.ip,
				detail: { loginCodeId: row.id, attempts: outcome.attempts }
			});
			const attemptsLeft = MAX_CODE_ATTEMPTS - outcome.attempts;
			return failure('CODE_INVALID', `Wrong code; ${attemptsLeft} attempts left`, {
				attemptsLeft
			});
		}
	}
}
