import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/schema';
import { failure, type Result } from '$lib/domain/errors';
import type { Clock } from '../platform/clock';
import { hashToken, newToken } from './tokens';
import { appendAudit } from '../audit';

/**
 * Issues a fresh one-time setup link token for the first admin and revokes any earlier unused
 * one, so only the link printed by the latest start works. Returns null once an admin has
 * completed setup: from then on nobody can enter through a printed link.
 */
export async function issueSetupToken(db: Kysely<Database>, clock: Clock): Promise<string | null> {
	return db.transaction().execute(async (trx) => {
		const used = await trx
			.selectFrom('setup_tokens')
			.select('id')
			.where('used_at', 'is not', null)
			.executeTakeFirst();
		if (used) return null;
		const admin = await trx
			.selectFrom('users')
			.select('id')
			.where('role', '=', 'admin')
			.orderBy('created_at')
			.executeTakeFirst();
		if (!admin) return null;
		const now = clock().toISOString();
		await trx
			.updateTable('setup_tokens')
			.set({ revoked_at: now })
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.execute();
		const token = newToken();
		await trx
			.insertInto('setup_tokens')
			.values({
				id: randomUUID(),
				token_hash: hashToken(token),
				user_id: admin.id,
				created_at: now,
				used_at: null,
				revoked_at: null
			})
			.execute();
		return token;
	});
}

const invalid = () => failure('SETUP_LINK_INVALID', 'This setup link is not valid');
const used = () => failure('SETUP_LINK_USED', 'This setup link has already been used');

/**
 * Spends a setup token. The conditional update is the lock: of two simultaneous requests with
 * the same token exactly one changes the row, so the link works once even under a race.
 */
export async function redeemSetupToken(
	db: Kysely<Database>,
	token: string,
	clock: Clock
): Promise<Result<{ userId: string }>> {
	const tokenHash = hashToken(token);
	const row = await db
		.selectFrom('setup_tokens')
		.select(['id', 'user_id', 'used_at', 'revoked_at'])
		.where('token_hash', '=', tokenHash)
		.executeTakeFirst();
	if (!row) return invalid();
	if (row.used_at || row.revoked_at) return used();
	const spent = await db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('setup_tokens')
			.set({ used_at: clock().toISOString() })
			.where('id', '=', row.id)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (result.numUpdatedRows !== 1n) return false;
		await appendAudit(trx, clock, row.user_id, {
			kind: 'setup.used',
			subject: row.user_id,
			data: {}
		});
		return true;
	});
	if (!spent) return used();
	return { ok: true, userId: row.user_id };
}
