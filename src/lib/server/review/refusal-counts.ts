import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Counts a submission refused before its passkey assertion verified (a wrong or spent ticket,
 * a forged or unverified assertion, a reused idempotency key): one row per UTC day, user and
 * code, its count raised. Such a refusal proves nothing about the signer (anyone holding the
 * session can send one), so it gets no event, review item or audit row of its own; a flood of
 * them costs one row a day instead of three rows each. Refusals after the assertion verified
 * are still recorded one by one.
 */
export async function countPreAuthRefusal(
	db: Kysely<Database>,
	userId: string,
	code: string,
	at: string
): Promise<void> {
	await db
		.insertInto('refusal_counts')
		.values({ day: at.slice(0, 10), user_id: userId, code, count: 1, first_at: at, last_at: at })
		.onConflict((oc) =>
			oc.columns(['day', 'user_id', 'code']).doUpdateSet({
				count: sql`refusal_counts.count + 1`,
				last_at: at
			})
		)
		.execute();
}

/** One day's counts for an organisation, most refused first, for the admin's review page. */
export async function preAuthRefusals(
	db: Kysely<Database>,
	orgId: string,
	day: string
): Promise<{ userId: string; userName: string; code: string; count: number; lastAt: string }[]> {
	const rows = await db
		.selectFrom('refusal_counts')
		.innerJoin('users', 'users.id', 'refusal_counts.user_id')
		.select([
			'refusal_counts.user_id',
			'users.display_name',
			'refusal_counts.code',
			'refusal_counts.count',
			'refusal_counts.last_at'
		])
		.where('users.org_id', '=', orgId)
		.where('refusal_counts.day', '=', day)
		.orderBy('refusal_counts.count', 'desc')
		.orderBy('refusal_counts.user_id')
		.execute();
	return rows.map((r) => ({
		userId: r.user_id,
		userName: r.display_name,
		code: r.code,
		count: Number(r.count),
		lastAt: r.last_at
	}));
}
