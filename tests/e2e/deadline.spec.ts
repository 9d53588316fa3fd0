import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { startServer, type RunningServer } from '../../scripts/server-process.mjs';
import { attachWorld, type ServerWorld } from './support/server-world';
import { customerToday, deadlineEnd } from '../../src/lib/domain/deadline';

// Deadlines against the production server process over HTTP (SPEC DL2, DL3, DL5): two signers'
// devices, played by Node with software passkeys, sync after the contract's deadline. The one who
// confirmed offline before it, on a ticket drawn before it, is accepted inside the grace period;
// the one who signed online after it is refused until the admin extends the deadline.

let dataDir: string;
let server: RunningServer;
let world: ServerWorld;

test.beforeEach(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'sealpass-deadline-'));
	server = await startServer({ DATA_DIR: dataDir, SEED_DEMO: '0' });
});

test.afterEach(async () => {
	await world?.close();
	await server?.stop();
	rmSync(dataDir, { recursive: true, force: true });
});

test('a late online signature is refused with DOC_EXPIRED, an offline one from before the deadline is accepted in the grace period, and an extension reopens the contract', async () => {
	world = await attachWorld(server, { count: 2, contracts: 1 });
	const [early, late] = world.signers as [ServerWorld['signers'][0], ServerWorld['signers'][0]];
	// Both contracts were due yesterday (Beijing time): their deadline passed within the last day.
	const yesterday = customerToday(new Date(Date.now() - 86_400_000));
	const deadlineAt = deadlineEnd(yesterday);
	await world.open.db.updateTable('envelopes').set({ deadline: yesterday }).execute();

	// The early signer's device drew its tickets before the deadline and confirmed offline before
	// it; it only syncs now. The tickets' issue time is moved back to when they were drawn.
	const earlyTickets = await world.tickets(server.url, early);
	const drawnAt = new Date(Date.parse(deadlineAt) - 2 * 86_400_000).toISOString();
	await world.open.db
		.updateTable('tickets')
		.set({ issued_at: drawnAt })
		.where(
			'id',
			'in',
			earlyTickets.map((t) => t.id)
		)
		.execute();
	const offlineBody = await world.body(early, early.envelopeIds[0]!, earlyTickets[0]!, {
		deviceTime: new Date(Date.parse(deadlineAt) - 3_600_000).toISOString()
	});
	const accepted = await world.call(
		server.url,
		'POST',
		'/api/submissions',
		world.cookieOf.get(early)!,
		offlineBody
	);
	expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);

	// The late signer signs now, online, on a ticket drawn now: too late.
	const lateTickets = await world.tickets(server.url, late);
	const lateBody = await world.body(late, late.envelopeIds[0]!, lateTickets[0]!, {
		deviceTime: new Date().toISOString()
	});
	const refused = await world.call(
		server.url,
		'POST',
		'/api/submissions',
		world.cookieOf.get(late)!,
		lateBody
	);
	expect(refused.status).toBe(409);
	expect(refused.body).toMatchObject({ error: { code: 'DOC_EXPIRED' } });

	// The signer's inbox says when signing closed.
	const inbox = await world.call(server.url, 'GET', '/api/inbox', world.cookieOf.get(late)!);
	expect(inbox.body).toMatchObject({ items: [{ deadlineAt }] });

	// The admin extends the deadline; the same ticket (unspent by the refusal) now signs.
	const nextWeek = customerToday(new Date(Date.now() + 7 * 86_400_000));
	const extended = await world.call(
		server.url,
		'PUT',
		`/api/admin/contracts/${late.envelopeIds[0]}/deadline`,
		world.adminCookie,
		{ deadline: nextWeek }
	);
	expect(extended).toMatchObject({
		status: 200,
		body: { deadline: nextWeek, deadlineAt: deadlineEnd(nextWeek) }
	});
	const retried = await world.call(
		server.url,
		'POST',
		'/api/submissions',
		world.cookieOf.get(late)!,
		{ ...lateBody, idempotencyKey: `key-${crypto.randomUUID()}` }
	);
	expect(retried.status, JSON.stringify(retried.body)).toBe(201);
});

test('a due reminder is sent once while two server processes share the database', async () => {
	world = await attachWorld(server, { count: 1, contracts: 1 });
	const second = await startServer({ DATA_DIR: dataDir, SEED_DEMO: '0' });
	try {
		const [signer] = world.signers as [ServerWorld['signers'][0]];
		const id = signer.envelopeIds[0]!;
		const day = customerToday(new Date(Date.now() + 2 * 86_400_000));
		await world.open.db
			.updateTable('envelopes')
			.set({ deadline: day, reminder_first_days: 1, reminder_every_days: 1 })
			.where('id', '=', id)
			.execute();
		await world.open.db
			.insertInto('contract_signers')
			.values({
				envelope_id: id,
				signer_id: 'alice',
				name: '张三',
				contact: 'zhang.san@example.com',
				user_id: signer.user.id,
				invite_id: null,
				notified_at: null
			})
			.execute();
		// The occurrence one day before the deadline, as sending queued it; its time has come.
		const at = new Date(Date.parse(deadlineEnd(day)) - 86_400_000).toISOString();
		const now = new Date().toISOString();
		await world.open.db
			.insertInto('jobs')
			.values({
				id: crypto.randomUUID(),
				kind: 'reminder',
				subject: `${id}@${at}`,
				state: 'queued',
				attempts: 0,
				run_after: now,
				lease_owner: null,
				lease_until: null,
				last_error: null,
				created_at: now,
				updated_at: now
			})
			.execute();
		// Both processes poll their job tables every few seconds; wait until one has done it.
		await expect
			.poll(
				async () =>
					(
						await world.open.db
							.selectFrom('jobs')
							.select('state')
							.where('subject', '=', `${id}@${at}`)
							.executeTakeFirst()
					)?.state,
				{ timeout: 30_000 }
			)
			.toBe('done');
		const sent = await world.open.db
			.selectFrom('notifications')
			.select(['recipient', 'subject', 'body'])
			.where('recipient', '=', 'zhang.san@example.com')
			.execute();
		expect(sent).toHaveLength(1);
		expect(sent[0]!.subject).toContain('Contract 0-0');
		expect(sent[0]!.body).toContain(`/inbox/${id}`);
		// That was the plan's last occurrence (a day later is the deadline itself): nothing queued.
		const next = await world.open.db
			.selectFrom('jobs')
			.select('subject')
			.where('kind', '=', 'reminder')
			.where('state', '=', 'queued')
			.execute();
		expect(next).toEqual([]);
	} finally {
		await second.stop();
	}
});
