import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { RateLimiter } from './rate-limit';
import { openDatabase, type OpenDatabase } from '../db';
import { openTestServer, type TestServer } from '../../../../tests/support/test-server';
import { testEngine } from '../../../../tests/support/test-db';

let server: TestServer;
let other: OpenDatabase | null = null;

beforeEach(async () => {
	server = await openTestServer('rate-limit');
});

afterEach(async () => {
	await other?.close();
	other = null;
	await server.close();
});

describe('RateLimiter', () => {
	it('allows the limit per window, refuses beyond it, and resets after the window', async () => {
		const limiter = new RateLimiter('test:ip', 3, 60_000);
		const take = (key: string) => limiter.take(server.db, server.clock, key);
		expect([await take('1.2.3.4'), await take('1.2.3.4'), await take('1.2.3.4')]).toEqual([
			true,
			true,
			true
		]);
		expect(await take('1.2.3.4')).toBe(false);
		expect(await take('5.6.7.8')).toBe(true);
		// Another limiter counts the same key apart.
		expect(
			await new RateLimiter('test:other', 1, 60_000).take(server.db, server.clock, '1.2.3.4')
		).toBe(true);
		server.setNow(new Date(server.now().getTime() + 60_000));
		expect(await take('1.2.3.4')).toBe(true);
		expect(await take('1.2.3.4')).toBe(true);
	});

	// A second connection to the SQLite file, as a second app server has; on PostgreSQL the pool's
	// connections are separate sessions already, and two servers are the multi-server e2e's.
	it.skipIf(testEngine === 'postgres')(
		'two server processes on one database share one count per key',
		async () => {
			// A second connection to the same file, as a second app server behind the balancer has.
			other = openDatabase(`sqlite:${join(server.dir, 'app.db')}`);
			const limiter = new RateLimiter('test:ip', 4, 60_000);
			const answers = await Promise.all(
				Array.from({ length: 6 }, (_, i) =>
					limiter.take(i % 2 ? other!.db : server.db, server.clock, '1.2.3.4')
				)
			);
			expect(answers.filter(Boolean)).toHaveLength(4);
		}
	);

	it('ended windows are swept, so one-off keys do not stay', async () => {
		const limiter = new RateLimiter('test:ip', 3, 60_000);
		for (const key of ['a', 'b', 'c']) await limiter.take(server.db, server.clock, key);
		server.setNow(new Date(server.now().getTime() + 61_000));
		await limiter.take(server.db, server.clock, 'd');
		const keys = await server.db.selectFrom('rate_limits').select('key').execute();
		expect(keys.map((r) => r.key)).toEqual(['d']);
	});
});
