#!/usr/bin/env node
// The storage contract pass on PostgreSQL: the server tests (every one that opens a database
// through tests/support/test-db.ts) run again with TEST_DATABASE_URL pointing at a PostgreSQL
// database, so both engines answer the same tests. Without TEST_DATABASE_URL it says so and
// passes, so `npm test` works on a machine without PostgreSQL; CI sets it (.ci/run).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const url = process.env.TEST_DATABASE_URL;
if (!url) {
	console.log('test:pg skipped: TEST_DATABASE_URL is not set (no PostgreSQL pass in this run)');
	process.exit(0);
}
if (!/^postgres(ql)?:\/\//.test(url)) {
	console.error('test:pg: TEST_DATABASE_URL must be a postgres:// URL');
	process.exit(2);
}

/**
 * The tests that store through the database: every server feature's but the PDF and signing
 * code's, which never open one (their tests run once, in test:unit), plus the migrate-data CLI
 * test that lives beside the CLI, and the client sync and evidence tests that drive a server.
 */
const ENGINE_FREE = new Set(['pdf', 'signing']);
const STORAGE_TESTS = [
	...readdirSync('src/lib/server', { withFileTypes: true })
		.filter((entry) => entry.isDirectory() && !ENGINE_FREE.has(entry.name))
		.map((entry) => `src/lib/server/${entry.name}`),
	'src/lib/server/pdf/migrate-data-cli.test.ts',
	'src/lib/client/device/sync/sync.test.ts',
	'src/lib/evidence/evidence.test.ts'
];

// Every world runs all migrations on a server shared with other tests: hooks get more time.
const args = ['vitest', 'run', '--hookTimeout=60000', ...STORAGE_TESTS, ...process.argv.slice(2)];
const result = spawnSync('npx', args, {
	stdio: 'inherit',
	env: process.env
});
process.exit(result.status ?? 1);
