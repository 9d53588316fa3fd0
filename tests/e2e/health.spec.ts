import { readdirSync } from 'node:fs';
import { test, expect } from './support/fixtures';

// The newest file in migrations/, so a new migration does not need this test edited.
const newestMigration = readdirSync('src/lib/server/db/migrations')
	.map((f) => f.replace(/\.ts$/, ''))
	.sort()
	.at(-1);

test('GET /api/health reports version, database and blob store status', async ({ request }) => {
	const response = await request.get('/api/health');
	expect(response.status()).toBe(200);
	expect(response.headers()['cache-control']).toBe('no-store');
	const body = await response.json();
	expect(body).toMatchObject({
		status: 'ok',
		version: expect.stringMatching(/^\d+\.\d+\.\d+/),
		database: { ok: true, dialect: 'sqlite', migration: newestMigration },
		blobs: { ok: true }
	});
});

test('a JSON POST from another origin is refused with ORIGIN_MISMATCH', async ({ request }) => {
	const response = await request.post('/api/setup', {
		data: { token: 'x'.repeat(43) },
		headers: { Origin: 'https://evil.example' }
	});
	expect(response.status()).toBe(403);
	expect((await response.json()).error.code).toBe('ORIGIN_MISMATCH');
});
