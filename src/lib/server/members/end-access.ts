import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { Clock } from '../platform/clock';

/**
 * Ends what a member's devices hold (MB4, RC4): every session is deleted, and every unspent
 * ticket revoked, so confirmations a device holds offline are refused when they sync. Spent
 * tickets stay: they are the evidence of signatures already accepted. Runs in the caller's
 * transaction, beside the change that calls for it and its audit row.
 */
export async function endSessionsAndTickets(
	trx: Transaction<Database>,
	clock: Clock,
	userId: string
): Promise<{ sessionsEnded: number; ticketsRevoked: number }> {
	const now = clock().toISOString();
	const sessions = await trx
		.deleteFrom('sessions')
		.where('user_id', '=', userId)
		.executeTakeFirst();
	const tickets = await trx
		.updateTable('tickets')
		.set({ revoked_at: now })
		.where('user_id', '=', userId)
		.where('used_at', 'is', null)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return {
		sessionsEnded: Number(sessions.numDeletedRows),
		ticketsRevoked: Number(tickets.numUpdatedRows)
	};
}
