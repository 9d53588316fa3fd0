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
