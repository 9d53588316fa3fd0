import type { Kysely } from 'kysely';
import { failure, type Result } from '$lib/domain/errors';
import type { PasskeySummary } from '$lib/domain/api-types';
import type { Database } from '../../db/schema';
import type { Clock } from '../../platform/clock';
import { appendAudit } from '../../audit';
import { normalisePasskeyName, toSummary } from './common';
import { personOf, personRowsOf } from '../people';

/**
 * The user's active passkeys, oldest first, for the passkeys page: the person's, whichever of
 * their organisations each was enrolled in (SPEC MO6).
 */
export async function listPasskeys(
	db: Kysely<Database>,
	userId: string
): Promise<PasskeySummary[]> {
	const rows = await db
		.selectFrom('credentials')
		.select(['id', 'name', 'created_at', 'last_used_at', 'backed_up'])
		.where('user_id', 'in', personRowsOf(db, userId))
		.where('revoked_at', 'is', null)
		.orderBy('created_at')
		.orderBy('id')
		.execute();
	return rows.map(toSummary);
}

/** Renames one of the user's own active passkeys; another user's id reads as not found. */
export async function renamePasskey(
	db: Kysely<Database>,
	userId: string,
	id: string,
	requestedName: string
): Promise<Result<{ value: PasskeySummary }>> {
	const name = normalisePasskeyName(requestedName);
	if (!name) return failure('PASSKEY_NAME_INVALID', 'A passkey name needs 1 to 60 characters');
	const result = await db
		.updateTable('credentials')
		.set({ name })
		.where('id', '=', id)
		.where('user_id', 'in', personRowsOf(db, userId))
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) return failure('NOT_FOUND', 'No such passkey');
	const row = await db
		.selectFrom('credentials')
		.select(['id', 'name', 'created_at', 'last_used_at', 'backed_up'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	return { ok: true, value: toSummary(row) };
}

/** What a revoke ended, for the caller's answer and the tests. */
export interface Revoked {
	/** Sessions signed in with the passkey (on any device), now ended. */
	sessionsEnded: number;
	/** Its unused challenge tickets, now unusable for an offline device that holds them. */
	ticketsRevoked: number;
}

/**
 * Revokes one of the user's passkeys, e.g. of a lost phone, and with it everything it opened:
 * the sessions signed in with it end at once (the lost phone is signed out at its next
 * request), and its unused tickets are revoked, so signatures that phone confirms offline
 * after the revoke are refused at ingest (PASSKEY_UNKNOWN) instead of being accepted. The last
 * active passkey is refused (PASSKEY_LAST): without it the user could never sign in again. All
 * of it runs in one transaction, so two simultaneous revokes cannot remove the last two
 * together and no session outlives its passkey.
 */
export async function revokePasskey(
	db: Kysely<Database>,
	clock: Clock,
	userId: string,
	id: string
): Promise<Result<{ value: Revoked }>> {
	return db.transaction().execute(async (trx) => {
		const active = await trx
			.selectFrom('credentials')
			.select('id')
			.where('user_id', 'in', personRowsOf(trx, userId))
			.where('revoked_at', 'is', null)
			.execute();
		if (!active.some((c) => c.id === id)) return failure('NOT_FOUND', 'No such passkey');
		if (active.length <= 1) return failure('PASSKEY_LAST', 'The last passkey cannot be revoked');
		const now = clock().toISOString();
		await trx
			.updateTable('credentials')
			.set({ revoked_at: now })
			.where('id', '=', id)
			.where('revoked_at', 'is', null)
			.execute();
		// By passkey alone: a session it opened may have moved to another of the person's
		// organisations, and tickets were drawn with it in each (MO3, MO6). It is this person's.
		const sessions = await trx
			.deleteFrom('sessions')
			.where('credential_id', '=', id)
			.executeTakeFirst();
		// Used tickets stay as they are: they are the evidence of signatures already accepted.
		const tickets = await trx
			.updateTable('tickets')
			.set({ revoked_at: now })
			.where('credential_id', '=', id)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		await appendAudit(trx, clock, userId, {
			kind: 'passkey.revoked',
			subject: userId,
			data: { credentialId: id }
		});
		return {
			ok: true as const,
			value: {
				sessionsEnded: Number(sessions.numDeletedRows),
				ticketsRevoked: Number(tickets.numUpdatedRows)
			}
		};
	});
}

/**
 * Which of these accounts hold an active passkey (can sign as soon as a contract is sent): one
 * of their person's, wherever it was enrolled (MO6).
 */
export async function enrolledUsers(db: Kysely<Database>, userIds: string[]): Promise<Set<string>> {
	if (userIds.length === 0) return new Set();
	const members = await db
		.selectFrom('users')
		.select(['id', 'person_id'])
		.where('id', 'in', userIds)
		.execute();
	const persons = [...new Set(members.map(personOf))];
	const holders = await db
		.selectFrom('credentials')
		.innerJoin('users', 'users.id', 'credentials.user_id')
		.select(['users.id', 'users.person_id'])
		.where('credentials.revoked_at', 'is', null)
		.where((eb) => eb.or([eb('users.person_id', 'in', persons), eb('users.id', 'in', persons)]))
		.execute();
	const held = new Set(holders.map(personOf));
	return new Set(members.filter((m) => held.has(personOf(m))).map((m) => m.id));
}
