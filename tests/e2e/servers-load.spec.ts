import { writeFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { runLoad } from './support/load';

// Many devices syncing at once against two production server processes on one database, every
// request going to the next server as a load balancer would. With every test run it uses 10 × 5;
// `npm run bench -- servers` runs 200 × 10 (SERVERS_SIGNERS, SERVERS_MANIFESTS), 2,000 syncs,
// with one server under the same load as the baseline of the same run (SERVERS_RESULT).

const SIGNERS = Number(process.env.SERVERS_SIGNERS ?? 10);
const EACH = Number(process.env.SERVERS_MANIFESTS ?? 5);

test(`${SIGNERS} signers syncing ${EACH} manifests each through two servers on one database: every manifest stored exactly once, nothing lost`, async () => {
	test.setTimeout(Number(process.env.SERVERS_TIMEOUT_MS ?? 240_000));
	const baseline = process.env.SERVERS_RESULT ? await runLoad(SIGNERS, EACH, 1) : null;
	const result = await runLoad(SIGNERS, EACH, 2);
	const total = SIGNERS * EACH;
	expect(result.accepted).toBe(total);
	expect(result.submissionsStored).toBe(total);
	expect(result.envelopesWithOneSubmission).toBe(total);
	expect(result.inconsistencies).toEqual([]);
	if (process.env.SERVERS_RESULT) {
		writeFileSync(process.env.SERVERS_RESULT, JSON.stringify({ result, baseline }));
	}
});
