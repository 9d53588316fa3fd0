import type { Kysely } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../db/schema';
import { personRowsOf } from './people';
import type { Clock } from '../platform/clock';
import { failure, type Result } from '$lib/domain/errors';
import type { TicketPool } from '$lib/domain/api-types';

/** Tickets a device holds per credential: 50 offline signatures before it must come online. */
export const TICKET_POOL_SIZE = 50;
/** A ticket's life: long enough for weeks in the field, short enough that a lost pool goes stale. */
export const TICKET_TTL_MS = 30 * 86_400_000;

/**
 * Tops up one credential's pool to TICKET_POOL_SIZE unexpired, unused tickets and returns the whole
 * pool (tickets make offline signing possible). Returning the full pool, not just the new ones,
 * makes the call idempotent: a device whose previous answer was lost simply asks again and holds
 * every ticket. Only the owner's active passkey gets tickets, so a revoked device cannot collect
 * more.
 */
export async function topUpTickets(
	db: Kysely<Database>,
	clock: Clock,
	userId: string,
	credentialId: string
): Promise<Result<{ value: TicketPool }>> {
	return db.transaction().execute(async (trx) => {
		const credential = await trx
			.selectFrom('credentials')
			.select('id')
			.where('id', '=', credentialId)
			// Any passkey of the person (MO6), wherever it was enrolled: the tickets are this row's.
			.where('user_id', 'in', personRowsOf(trx, userId))
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (!credential) {
			return failure('PASSKEY_UNKNOWN', 'Unknown passkey');
		}
		const now = clock();
		const nowIso = now.toISOString();
		const live = () =>
			trx
				.selectFrom('tickets')
				.select(['id', 'nonce', 'expires_at'])
				.where('credential_id', '=', credentialId)
				.where('user_id', '=', userId)
				.where('used_at', 'is', null)
				.where('expires_at', '>', nowIso)
				.orderBy('expires_at')
				.orderBy('id')
				.execute();
		const missing = TICKET_POOL_SIZE - (await live()).length;
		if (missing > 0) {
			const expiresAt = new Date(now.getTime() + TICKET_TTL_MS).toISOString();
			await trx
				.insertInto('tickets')
				.values(
					Array.from({ length: missing }, () => ({
						id: randomUUID(),
						user_id: userId,
						credential_id: credentialId,
						nonce: randomBytes(32).toString('base64url'),
						issued_at: nowIso,
						expires_at: expiresAt,
						used_at: null,
						used_by_submission: null
					}))
				)
				.execute();
		}
		const pool = await live();
		return {
			ok: true as const,
			value: {
				tickets: pool.map((t) => ({ id: t.id, nonce: t.nonce, expiresAt: t.expires_at })),
				remaining: pool.length,
				// The pool is usable until its first ticket expires: the UI's honest "until".
				until: pool[0]?.expires_at ?? null
			}
		};
	});
}
