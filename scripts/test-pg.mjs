#!/usr/bin/env node
// The storage contract pass on PostgreSQL: the server tests (every one that opens a database
// through tests/support/test-db.ts) run again with TEST_DATABASE_URL pointing at a PostgreSQL
// database, so both engines answer the same tests. Without TEST_DATABASE_URL it says so and
// passes, so `npm test` works on a machine without PostgreSQL; CI sets it (.ci/run).
import { spawnSync } from 'node:child_process';

const url = process.env.TEST_DATABASE_URL;
if (!url) {
	console.log('test:pg skipped: TEST_DATABASE_URL is not set (no PostgreSQL pass in this run)');
	process.exit(0);
}
if (!/^postgres(ql)?:\/\//.test(url)) {
	console.error('test:pg: TEST_DATABASE_URL must be a postgres:// URL');
	process.exit(2);
}

/** The tests that store through the database; everything else does not depend on the engine. */
const STORAGE_TESTS = [
	'src/lib/server',
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
