import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../db/schema';
import { seedIfEmpty } from '../platform/seed';
import { ConsoleNotifier } from '../platform/notify';
import { JobRunner } from '../platform/job-runner';
import {
	changeDeadline,
	contractDetail,
	createContract,
	REMINDER_JOB,
	revokeContract,
	saveFields,
	sendContract,
	sendReminder,
	type ContractDeps
} from '.';
import type { ContractInput } from '$lib/domain/api-requests';
import { multiPagePdf } from '../../../../tests/support/test-pdfs';
import { openTestServer, type TestServer } from '../../../../tests/support/test-server';

// Deadlines and reminders over a real SQLite file and the real job runner: the reminders are the
// console notifier's lines, so a test sees exactly what a signer would be sent.

let server: TestServer;
let deps: ContractDeps;
let admin: User;
const lines: string[] = [];

beforeEach(async () => {
	server = await openTestServer('deadline');
	await seedIfEmpty(server.db, server.blobs, server.clock, false);
	admin = await server.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	lines.length = 0;
	deps = {
		db: server.db,
		clock: server.clock,
		origin: 'http://localhost',
		notifiers: {
			console: new ConsoleNotifier((line) => lines.push(line)),
			smtp: null,
			sms: null
		},
		blobs: server.blobs
	};
});
afterEach(() => server.close());

/** A sequential contract due 2026-03-31 (closing 2026-03-31T16:00Z): the admin signs first. */
async function sentContract(over: Partial<ContractInput> = {}): Promise<string> {
	const created = await createContract(
		deps,
		admin,
		{
			title: '供货合同',
			signingOrder: 'sequential',
			deadline: '2026-03-31',
			parties: [
				{
					name: 'Demo Co.',
					kind: 'organisation',
					signers: [{ name: '', contact: 'admin@example.com', userId: admin.id, order: 1 }]
				},
				{
					name: '李四',
					kind: 'person',
					signers: [{ name: '李四', contact: 'li.si@example.com', userId: null, order: 2 }]
				}
			],
			...over
		},
		await multiPagePdf()
	);
	if (!created.ok) throw new Error(created.code);
	const rect = { x: 72, y: 100, width: 160, height: 56 };
	const fields = ['signer-1', 'signer-2'].map((signerId, i) => ({
		id: `sig-${i}`,
		kind: 'signature' as const,
		signerId,
		page: 1,
		rect: { ...rect, x: 72 + i * 200 },
		required: true
	}));
	const saved = await saveFields(deps, admin.org_id, created.id, fields);
	if (!saved.ok) throw new Error(saved.code);
	const sent = await sendContract(deps, admin, created.id);
	if (!sent.ok) throw new Error(sent.code);
	lines.length = 0;
	return created.id;
}

async function reminderJobs() {
	return server.db
		.selectFrom('jobs')
		.select(['subject', 'state', 'run_after'])
		.where('kind', '=', REMINDER_JOB)
		.orderBy('run_after')
		.execute();
}

function runner(): JobRunner {
	return new JobRunner(server.db, server.clock).register(REMINDER_JOB, (job, owner) =>
		sendReminder(deps, job, owner)
	);
}

describe('changing a deadline (DL5)', () => {
	it('extends a sent contract to a later day, audited, and the detail shows the new closing time', async () => {
		const id = await sentContract();
		expect(await changeDeadline(deps, admin, id, '2026-04-15')).toEqual({
			ok: true,
			deadline: '2026-04-15',
			deadlineAt: '2026-04-15T16:00:00.000Z'
		});
		const detail = await contractDetail(server.db, admin.org_id, id);
		expect(detail).toMatchObject({
			deadline: '2026-04-15',
			deadlineAt: '2026-04-15T16:00:00.000Z'
		});
		const audit = await server.db
			.selectFrom('audit_log')
			.select(['kind', 'data'])
			.where('kind', '=', 'envelope.deadline-changed')
			.execute();
		expect(audit.map((a) => JSON.parse(a.data))).toEqual([
			{ from: '2026-03-31', to: '2026-04-15' }
		]);
	});

	it('reopens a contract whose deadline passed', async () => {
		const id = await sentContract();
		server.setNow(new Date('2026-04-02T00:00:00Z'));
		expect(await changeDeadline(deps, admin, id, '2026-04-10')).toMatchObject({ ok: true });
	});

	it('never shortens, removes or back-dates a sent contract’s deadline', async () => {
		const id = await sentContract();
		for (const day of ['2026-03-20', '2026-03-31', null, '2026-02-28', '2026-04-31']) {
			expect(await changeDeadline(deps, admin, id, day)).toMatchObject({
				ok: false,
				code: 'CONTRACT_INVALID',
				details: { field: 'deadline' }
			});
		}
		expect((await contractDetail(server.db, admin.org_id, id))?.deadline).toBe('2026-03-31');
	});

	it('refuses a revoked contract and one of another organisation', async () => {
		const id = await sentContract();
		const stranger = { ...admin, org_id: 'other-org' };
		expect(await changeDeadline(deps, stranger, id, '2026-04-15')).toMatchObject({
			code: 'NOT_FOUND'
		});
		await revokeContract(deps, admin, id, '价格变更');
		expect(await changeDeadline(deps, admin, id, '2026-04-15')).toMatchObject({
			code: 'CONTRACT_NOT_EDITABLE'
		});
	});

	it('a draft whose deadline passed is not sent until it gets a new one', async () => {
		const created = await createContract(
			deps,
			admin,
			{
				title: 'Draft',
				signingOrder: 'parallel',
				deadline: '2026-03-02',
				parties: [
					{
						name: 'Demo Co.',
						kind: 'organisation',
						signers: [{ name: '', contact: null, userId: admin.id, order: 1 }]
					}
				]
			},
			await multiPagePdf()
		);
		if (!created.ok) throw new Error(created.code);
		await saveFields(deps, admin.org_id, created.id, [
			{
				id: 'sig',
				kind: 'signature',
				signerId: 'signer-1',
				page: 1,
				rect: { x: 72, y: 100, width: 160, height: 56 },
				required: true
			}
		]);
		server.setNow(new Date('2026-03-03T00:00:00Z'));
		expect(await sendContract(deps, admin, created.id)).toMatchObject({
			code: 'CONTRACT_INVALID',
			details: { field: 'deadline' }
		});
		// A draft's deadline may move either way, or go.
		expect(await changeDeadline(deps, admin, created.id, null)).toMatchObject({ ok: true });
		expect(await sendContract(deps, admin, created.id)).toMatchObject({ ok: true });
	});
});

describe('reminders (DL6)', () => {
	it('sending queues the first reminder three days before the deadline', async () => {
		const id = await sentContract();
		expect(await reminderJobs()).toEqual([
			{
				subject: `${id}@2026-03-28T16:00:00.000Z`,
				state: 'queued',
				run_after: '2026-03-28T16:00:00.000Z'
			}
		]);
	});

	it('a contract with reminders turned off queues none', async () => {
		await sentContract({ reminders: null });
		expect(await reminderJobs()).toEqual([]);
	});

	it('sends once with two server processes, to the signer whose turn it is, then queues the next', async () => {
		const id = await sentContract();
		expect(await runner().runDue()).toBe(0); // not due yet
		server.setNow(new Date('2026-03-28T16:00:01Z'));
		const [a, b] = [runner(), runner()];
		await Promise.all([a.runDue(), b.runDue()]);
		const reminders = lines.filter((l) => l.includes('供货合同') && l.includes('2026-03-31'));
		// Sequential: 李四 signs after the admin, so only the admin is reminded, once.
		expect(reminders).toHaveLength(1);
		expect(reminders[0]).toContain('admin@example.com');
		expect(reminders[0]).toContain(`http://localhost/inbox/${id}`);
		// Both languages in one message.
		expect(reminders[0]).toMatch(/北京时间/);
		expect(reminders[0]).toMatch(/Beijing time/);
		expect(await reminderJobs()).toMatchObject([
			{ subject: `${id}@2026-03-28T16:00:00.000Z`, state: 'done' },
			{ subject: `${id}@2026-03-30T16:00:00.000Z`, state: 'queued' }
		]);
	});

	it('a deadline moved later drops the old occurrences and follows the new day', async () => {
		const id = await sentContract();
		server.setNow(new Date('2026-03-20T00:00:00Z'));
		await changeDeadline(deps, admin, id, '2026-04-10');
		server.setNow(new Date('2026-03-29T00:00:00Z'));
		await runner().runDue();
		expect(lines).toEqual([]);
		expect(await reminderJobs()).toMatchObject([
			{ subject: `${id}@2026-03-28T16:00:00.000Z`, state: 'done' },
			{ subject: `${id}@2026-04-07T16:00:00.000Z`, state: 'queued' }
		]);
	});

	it('a revoked contract reminds nobody and queues nothing more', async () => {
		const id = await sentContract();
		await revokeContract(deps, admin, id, '价格变更');
		lines.length = 0; // the revocation notices
		server.setNow(new Date('2026-03-29T00:00:00Z'));
		await runner().runDue();
		expect(lines).toEqual([]);
		expect(await reminderJobs()).toMatchObject([{ state: 'done' }]);
	});
});
