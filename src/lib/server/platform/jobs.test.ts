import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '../db';
import { claimJob, completeJob, enqueueJob, failJob, findJob, setJobHeld } from './jobs';
import { openTestDatabase } from '../../../../tests/support/test-db';

// A real SQLite file: the claim's conditional update is what keeps two processes apart, and
// only a real database shows whether it does.

let dir: string;
let open: OpenDatabase;
const t0 = new Date('2026-03-01T08:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const LEASE = { leaseMs: 60_000 };

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-jobs-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
});

afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

describe('jobs', () => {
	it('J1: queuing a job twice for one subject keeps one job', async () => {
		await enqueueJob(open.db, 'finalise', 'env-1', t0);
		await enqueueJob(open.db, 'finalise', 'env-1', later(5));
		const rows = await open.db.selectFrom('jobs').selectAll().execute();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ state: 'queued', run_after: t0.toISOString() });
	});

	it('J2: a taken job is not taken again until its lease runs out, then it is taken over', async () => {
		await enqueueJob(open.db, 'finalise', 'env-1', t0);
		const first = await claimJob(open.db, 'finalise', 'proc-a', t0, LEASE);
		expect(first).toMatchObject({ subject: 'env-1', attempts: 1 });
		expect(await claimJob(open.db, 'finalise', 'proc-b', later(59_000), LEASE)).toBeNull();
		const second = await claimJob(open.db, 'finalise', 'proc-b', later(61_000), LEASE);
		expect(second).toMatchObject({ id: first!.id, attempts: 2 });
		// The first process's late completion must not count: the job is proc-b's now.
		expect(await completeJob(open.db, first!.id, 'proc-a', later(62_000))).toBe(false);
		expect(await completeJob(open.db, first!.id, 'proc-b', later(62_000))).toBe(true);
		expect((await findJob(open.db, 'finalise', 'env-1'))?.state).toBe('done');
		expect(await claimJob(open.db, 'finalise', 'proc-c', later(10 * 60_000), LEASE)).toBeNull();
	});

	it('J2: a job queued for later is not due before its time; kinds are kept apart', async () => {
		await enqueueJob(open.db, 'finalise', 'env-1', t0, later(1000));
		expect(await claimJob(open.db, 'finalise', 'p', t0, LEASE)).toBeNull();
		expect(await claimJob(open.db, 'remind', 'p', later(2000), LEASE)).toBeNull();
		expect(await claimJob(open.db, 'finalise', 'p', later(1000), LEASE)).not.toBeNull();
	});

	it('J3: a failed attempt is retried after a doubling wait, and given up after the last', async () => {
		const options = { maxAttempts: 2, retryMs: 1000 };
		await enqueueJob(open.db, 'finalise', 'env-1', t0);
		const job = (await claimJob(open.db, 'finalise', 'p', t0, LEASE))!;
		await failJob(open.db, job, 'p', t0, 'disk full', options);
		expect(await findJob(open.db, 'finalise', 'env-1')).toMatchObject({
			state: 'queued',
			run_after: later(1000).toISOString(),
			last_error: 'disk full'
		});
		expect(await claimJob(open.db, 'finalise', 'p', later(999), LEASE)).toBeNull();
		const again = (await claimJob(open.db, 'finalise', 'p', later(1000), LEASE))!;
		expect(again.attempts).toBe(2);
		await failJob(open.db, again, 'p', later(1000), 'still full', options);
		expect((await findJob(open.db, 'finalise', 'env-1'))?.state).toBe('failed');
		expect(await claimJob(open.db, 'finalise', 'p', later(99_000), LEASE)).toBeNull();
	});

	it('J4: a held job is never taken; releasing queues it at once; a done job stays done', async () => {
		await enqueueJob(open.db, 'finalise', 'env-1', t0);
		await setJobHeld(open.db, 'finalise', 'env-1', true, t0);
		expect(await claimJob(open.db, 'finalise', 'p', later(1), LEASE)).toBeNull();
		await setJobHeld(open.db, 'finalise', 'env-1', false, later(2));
		const job = (await claimJob(open.db, 'finalise', 'p', later(2), LEASE))!;
		await completeJob(open.db, job.id, 'p', later(3));
		await setJobHeld(open.db, 'finalise', 'env-1', true, later(4));
		expect((await findJob(open.db, 'finalise', 'env-1'))?.state).toBe('done');
	});
});
