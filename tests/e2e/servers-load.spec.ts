import { writeFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { runLoad } from './support/load';
import { backendAvailable, type BackendKind } from './support/backends';

// Many devices syncing at once against two production server processes on one database, every
// request going to the next server as a load balancer would. With every test run it uses 10 × 5,
// on the embedded default and (with TEST_DATABASE_URL, as in CI) on PostgreSQL with S3.
// `npm run bench -- servers` runs 200 × 10 (SERVERS_SIGNERS, SERVERS_MANIFESTS), 2,000 syncs, on
// SERVERS_BACKEND alone, with one server under the same load as the baseline of the same run
// (SERVERS_RESULT).

const SIGNERS = Number(process.env.SERVERS_SIGNERS ?? 10);
const EACH = Number(process.env.SERVERS_MANIFESTS ?? 5);
const BACKENDS: BackendKind[] = process.env.SERVERS_BACKEND
	? [process.env.SERVERS_BACKEND as BackendKind]
	: ['sqlite', 'postgres'];

for (const backend of BACKENDS) {
	test(`${SIGNERS} signers syncing ${EACH} manifests each through two servers on one ${backend} database: every manifest stored exactly once, nothing lost`, async () => {
		test.skip(!backendAvailable(backend), 'needs a PostgreSQL server: set TEST_DATABASE_URL');
		test.setTimeout(Number(process.env.SERVERS_TIMEOUT_MS ?? 240_000));
		const baseline = process.env.SERVERS_RESULT ? await runLoad(SIGNERS, EACH, 1, backend) : null;
		const result = await runLoad(SIGNERS, EACH, 2, backend);
		const total = SIGNERS * EACH;
		expect(result.accepted).toBe(total);
		expect(result.submissionsStored).toBe(total);
		expect(result.envelopesWithOneSubmission).toBe(total);
		expect(result.inconsistencies).toEqual([]);
		if (process.env.SERVERS_RESULT) {
			writeFileSync(process.env.SERVERS_RESULT, JSON.stringify({ result, baseline }));
		}
	});
}
