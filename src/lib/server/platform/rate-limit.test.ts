import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
	it('allows the limit per window, refuses beyond it, and resets after the window', () => {
		let now = 1_000;
		const limiter = new RateLimiter(3, 60_000, () => now);
		expect([1, 2, 3].map(() => limiter.take('1.2.3.4'))).toEqual([true, true, true]);
		expect(limiter.take('1.2.3.4')).toBe(false);
		expect(limiter.take('5.6.7.8')).toBe(true);
		now += 60_000;
		expect(limiter.take('1.2.3.4')).toBe(true);
	});
});
