import { sql } from 'kysely';
import type { Db } from '../db/schema';
import type { Clock } from './clock';

/**
 * Fixed-window counter per key (IP, account), kept in the database (`rate_limits`) so that every
 * app server behind a load balancer counts into the same window: with a count per process, N
 * servers would let N times the limit through. A window starts at a key's first attempt and
 * lasts `windowMs`; the attempt after it starts a new one.
 */
export class RateLimiter {
	private nextSweep = 0;

	/** `scope` names the limiter in the table; each limiter has its own, e.g. `setup:ip`. */
	constructor(
		readonly scope: string,
		readonly limit: number,
		readonly windowMs: number
	) {}

	/** Counts one attempt; answers false when the key is over its limit for this window. */
	async take(db: Db, clock: Clock, key: string): Promise<boolean> {
		const now = clock();
		const at = now.toISOString();
		const resetAt = new Date(now.getTime() + this.windowMs).toISOString();
		// One statement, so two servers counting the same key at once never both start a window
		// or lose an increment: the row's own values decide whether its window has ended.
		const row = await db
			.insertInto('rate_limits')
			.values({ scope: this.scope, key, count: 1, reset_at: resetAt })
			.onConflict((oc) =>
				oc.columns(['scope', 'key']).doUpdateSet({
					count: sql<number>`case when rate_limits.reset_at <= ${at} then 1 else rate_limits.count + 1 end`,
					reset_at: sql<string>`case when rate_limits.reset_at <= ${at} then ${resetAt} else rate_limits.reset_at end`
				})
			)
			.returning('count')
			.executeTakeFirstOrThrow();
		if (now.getTime() >= this.nextSweep) await this.sweep(db, now);
		return Number(row.count) <= this.limit;
	}

	/**
	 * Deletes this limiter's ended windows, at most once a window per process: a flood of one-off
	 * keys (addresses) would otherwise leave a row each for good.
	 */
	private async sweep(db: Db, now: Date): Promise<void> {
		this.nextSweep = now.getTime() + this.windowMs;
		await db
			.deleteFrom('rate_limits')
			.where('scope', '=', this.scope)
			.where('reset_at', '<=', now.toISOString())
			.execute();
	}
}
