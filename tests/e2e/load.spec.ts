import { writeFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { runLoad } from './support/load';

// Many devices syncing at once against one production server process. With every test run it
// uses 20 × 10 to stay well inside the e2e time budget on a small CI machine; `npm run bench --
// load` runs it at 50 × 20 (LOAD_SIGNERS, LOAD_MANIFESTS) and writes the figures to LOAD_RESULT,
// with one device syncing alone as the baseline of the same run.

const SIGNERS = Number(process.env.LOAD_SIGNERS ?? 20);
const EACH = Number(process.env.LOAD_MANIFESTS ?? 10);

test(`${SIGNERS} signers syncing ${EACH} confirmed manifests each at once: every manifest accepted exactly once, re-sends answered the same, nothing lost`, async () => {
	test.setTimeout(240_000);
	const baseline = process.env.LOAD_RESULT ? await runLoad(1, EACH) : null;
	const result = await runLoad(SIGNERS, EACH);
	const total = SIGNERS * EACH;
	expect(result.accepted).toBe(total);
	expect(result.submissionsStored).toBe(total);
	expect(result.envelopesWithOneSubmission).toBe(total);
	expect(result.inconsistencies).toEqual([]);
	if (process.env.LOAD_RESULT) {
		writeFileSync(process.env.LOAD_RESULT, JSON.stringify({ result, baseline }));
	}
});
