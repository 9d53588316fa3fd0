import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../db';
import { openSeededDatabase, type SeededDatabase } from '../../../../tests/support/test-server';
import type { User } from '../db/schema';
import { JobRunner } from './job-runner';
import { findJob } from './jobs';
import { ConsoleNotifier, NotifyError, type Notifier, type NotifyMessage } from './notify';
import { MESSAGE_JOB, queueMessage, sendQueuedMessage } from './outbox';
import { createInvite } from '../auth';

let seeded: SeededDatabase;
let open: OpenDatabase;
let now: Date;
const clock = () => now;
let admin: User;

beforeEach(async () => {
	now = new Date('2026-03-01T08:00:00Z');
	seeded = await openSeededDatabase('outbox', clock);
	({ open, admin } = seeded);
});
afterEach(() => seeded?.close());

/**
 * An SMS channel whose provider refuses the first `failures` calls, then accepts, and the
 * notifier set around it (the console, no e-mail) that the outbox sends through.
 */
function flakySms(failures: number) {
	const calls: { at: string; message: NotifyMessage }[] = [];
	const notifier: Notifier = {
		channel: 'sms',
		send: async (message) => {
			calls.push({ at: now.toISOString(), message });
			if (calls.length <= failures) {
				throw new NotifyError(`Aliyun SMS: isv.BUSINESS_LIMIT_CONTROL: try ${calls.length}`);
			}
		}
	};
	const notifiers = {
		console: new ConsoleNotifier(() => undefined),
		smtp: null,
		sms: notifier
	};
	return { notifiers, calls };
}

const options = { leaseMs: 60_000, maxAttempts: 5, retryMs: 30_000 };

describe('message outbox', () => {
	it('keeps an invitation’s SMS through two provider failures and sends it on the third try, after a doubling wait', async () => {
		const sms = flakySms(2);
		const { notifiers } = sms;
		const deps = { db: open.db, clock, origin: 'https://sign.example.cn', notifiers };
		const runner = new JobRunner(open.db, clock, options, () => undefined).register(
			MESSAGE_JOB,
			(job, owner) => sendQueuedMessage(deps, job, owner)
		);

		// The request's own attempt fails: the admin hears it, the invitation and message stay.
		const created = await createInvite(deps, admin, { name: '李四', contact: '13800138000' });
		expect(created).toMatchObject({
			ok: false,
			code: 'NOTIFY_FAILED',
			details: { retrying: true }
		});
		const [row] = await open.db.selectFrom('notifications').selectAll().execute();
		expect(row).toMatchObject({
			channel: 'sms',
			sent_at: null,
			error: expect.stringMatching(/try 1/)
		});
		expect(JSON.parse(row!.sms_json!)).toMatchObject({ template: 'invite' });
		expect(await open.db.selectFrom('invites').select('id').execute()).toHaveLength(1);

		// Not due yet: the first retry waits retryMs.
		now = new Date(now.getTime() + 29_000);
		expect(await runner.runDue()).toBe(0);
		now = new Date(now.getTime() + 1_000);
		expect(await runner.runDue()).toBe(1); // second failure: next wait is doubled
		now = new Date(now.getTime() + 59_000);
		expect(await runner.runDue()).toBe(0);
		now = new Date(now.getTime() + 1_000);
		expect(await runner.runDue()).toBe(1); // third try succeeds

		expect(sms.calls.map((c) => c.at)).toEqual([
			'2026-03-01T08:00:00.000Z',
			'2026-03-01T08:00:30.000Z',
			'2026-03-01T08:01:30.000Z'
		]);
		// Every try carried the same code: a retry resends the message, it does not make a new one.
		expect(new Set(sms.calls.map((c) => c.message.sms!.params.code)).size).toBe(1);
		const sent = await open.db.selectFrom('notifications').selectAll().executeTakeFirstOrThrow();
		expect(sent).toMatchObject({
			sent_at: '2026-03-01T08:01:30.000Z',
			error: null,
			body: '',
			sms_json: null
		});
		expect(await findJob(open.db, MESSAGE_JOB, sent.id)).toMatchObject({
			state: 'done',
			attempts: 3
		});
		now = new Date(now.getTime() + 3_600_000);
		expect(await runner.runDue()).toBe(0);
		expect(sms.calls).toHaveLength(3);
	});

	it('writes nothing when the transaction it belongs to rolls back', async () => {
		await open.db
			.transaction()
			.execute(async (trx) => {
				await queueMessage(trx, clock, admin.org_id, 'console', {
					to: 'lisi@example.cn',
					subject: 's',
					body: 'b'
				});
				throw new Error('the invitation failed');
			})
			.catch(() => undefined);
		expect(await open.db.selectFrom('notifications').select('id').execute()).toEqual([]);
		expect(await open.db.selectFrom('jobs').select('id').execute()).toEqual([]);
	});

	it('stops after maxAttempts as failed, with the last error kept for the operator', async () => {
		const sms = flakySms(99);
		const { notifiers } = sms;
		const deps = { db: open.db, clock, notifiers };
		const runner = new JobRunner(open.db, clock, { ...options, maxAttempts: 2 }, () => undefined);
		runner.register(MESSAGE_JOB, (job, owner) => sendQueuedMessage(deps, job, owner));
		const id = await queueMessage(open.db, clock, admin.org_id, 'sms', {
			to: '13800138000',
			subject: 's',
			body: 'b'
		});
		await runner.runDue();
		now = new Date(now.getTime() + 30_000);
		await runner.runDue();
		now = new Date(now.getTime() + 3_600_000);
		await runner.runDue();
		expect(sms.calls).toHaveLength(2);
		// A contract notice with no SMS form of its own goes as the generic notice template.
		expect(sms.calls[0]!.message.sms).toEqual({ template: 'notice', params: {} });
		expect(await findJob(open.db, MESSAGE_JOB, id)).toMatchObject({
			state: 'failed',
			last_error: expect.stringMatching(/try 2/)
		});
	});
});
