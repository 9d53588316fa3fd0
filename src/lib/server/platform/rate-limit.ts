/**
 * Fixed-window counter per key (IP, account). In memory: one server process is the deployment
 * unit, and losing counts on restart only ever lets a few more attempts through.
 */
export class RateLimiter {
	private readonly hits = new Map<string, { count: number; resetAt: number }>();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly now: () => number = Date.now
	) {}

	/** Counts one attempt; answers false when the key is over its limit for this window. */
	take(key: string): boolean {
		const t = this.now();
		const entry = this.hits.get(key);
		if (!entry || entry.resetAt <= t) {
			if (this.hits.size > 10_000) this.sweep(t);
			this.hits.set(key, { count: 1, resetAt: t + this.windowMs });
			return true;
		}
		entry.count += 1;
		return entry.count <= this.limit;
	}

	private sweep(t: number) {
		for (const [key, entry] of this.hits) if (entry.resetAt <= t) this.hits.delete(key);
	}
}
