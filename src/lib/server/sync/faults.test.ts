import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ingestSubmission } from './ingest';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import { createSignerWorld, type SignerWorld } from '../../../../tests/support/signer-world';
import {
	openTestServer,
	ORIGIN,
	ticketPool,
	type TestServer
} from '../../../../tests/support/test-server';
import { inconsistencies } from '../../../../tests/support/consistency';
import { testEngine } from '../../../../tests/support/test-db';
import {
	fillSmallDisk,
	mountSmallDisk,
	unmountSmallDisk
} from '../../../../tests/support/small-disk';

// Storage faults against the real parts: a real SQLite file on a real filesystem that fills up,
// a second real connection holding the write lock. Each case ends the same way: a clear error
// with a stable code, nothing stored, nothing half-written, and the retry succeeds.

let server: TestServer;
let world: SignerWorld;

async function setUp(onSmallDisk: boolean) {
	// 8 MB: room for the migrated, seeded database and its WAL, with a little to spare.
	server = await openTestServer(
		'faults',
		onSmallDisk
			? { prepare: (dir) => mountSmallDisk(dir, '8m'), release: (dir) => unmountSmallDisk(dir) }
			: {}
	);
	world = await createSignerWorld(server.db, {
		count: 1,
		contracts: 3,
		origin: ORIGIN,
		at: server.now().toISOString()
	});
}

afterEach(async () => {
	await server.close();
});

async function bodyFor(contract: number) {
	const signer = world.signers[0]!;
	const pool = await ticketPool(server.db, server.clock, signer.user.id, signer.key.credentialId);
	return world.body(signer, signer.envelopeIds[contract]!, pool[contract]!);
}

const ingest = (body: unknown) => ingestSubmission(server.deps, world.signers[0]!.user, body);

async function counts() {
	const db = server.db;
	const one = async (table: 'submissions' | 'submission_events' | 'idempotency_keys') =>
		Number(
			(
				await db
					.selectFrom(table)
					.select((eb) => eb.fn.countAll().as('n'))
					.executeTakeFirstOrThrow()
			).n
		);
	const used = await db
		.selectFrom('tickets')
		.select((eb) => eb.fn.countAll().as('n'))
		.where('used_at', 'is not', null)
		.executeTakeFirstOrThrow();
	return {
		submissions: await one('submissions'),
		idempotencyKeys: await one('idempotency_keys'),
		usedTickets: Number(used.n)
	};
}

/** Fills the filesystem under `dir` to the last byte; returns the filler's path. */
async function fillDisk(): Promise<string> {
	// Empty the WAL into the database first, so the next write has to grow a file.
	await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(server.db);
	return fillSmallDisk(join(server.dir, 'filler'), 64 << 20);
}

function refused(answer: { status: number; body: SubmissionAccepted | SubmissionRefused }) {
	return 'error' in answer.body ? answer.body.error.code : null;
}

// SQLite by nature: these faults are the SQLite file's (a full filesystem under the database file,
// another process holding SQLite's write lock). PostgreSQL's own faults are its server's; the
// PostgreSQL pass skips this file's tests.
describe.skipIf(testEngine === 'postgres')('disk full', () => {
	beforeEach(async () => {
		await setUp(true);
	});

	it('SERVER_DISK_FULL: a submission whose image cannot be written stores nothing, leaves no temporary file, and its retry is accepted once space is back', async () => {
		const body = await bodyFor(0);
		const before = await counts();
		const filler = await fillDisk();

		const answer = await ingest(body);
		expect(answer.status).toBe(507);
		expect(refused(answer)).toBe('SERVER_DISK_FULL');
		expect(await counts()).toEqual(before);
		const [sig] = Object.keys(world.images);
		expect(await server.blobs.has(sig!)).toBe(false);

		await unlink(filler);
		expect(await inconsistencies(join(server.dir, 'app.db'), server.blobs.dir)).toEqual([]);
		const retry = await ingest(body);
		expect(retry.status).toBe(201);
		expect(await ingest(body)).toEqual(retry);
		expect((await counts()).submissions).toBe(before.submissions + 1);
		expect(await server.blobs.has(sig!)).toBe(true);
	});

	it('SERVER_DISK_FULL: a submission whose database write cannot grow the file stores nothing, the database stays intact, and the retry is accepted', async () => {
		// The image is already stored, so the only write left is the database's.
		expect((await ingest(await bodyFor(0))).status).toBe(201);
		const body = await bodyFor(1);
		const before = await counts();
		const filler = await fillDisk();

		const answer = await ingest(body);
		expect(answer.status).toBe(507);
		expect(refused(answer)).toBe('SERVER_DISK_FULL');
		expect(await counts()).toEqual(before);

		await unlink(filler);
		expect(await inconsistencies(join(server.dir, 'app.db'), server.blobs.dir)).toEqual([]);
		expect((await ingest(body)).status).toBe(201);
		expect((await counts()).submissions).toBe(before.submissions + 1);
	});
});

/**
 * Another process (the CLI, an operator's sqlite3) takes the write lock with BEGIN IMMEDIATE and
 * holds it for `holdMs`. A process of its own because better-sqlite3 waits for a lock
 * synchronously: a holder in this process could never release while the waiter blocks.
 */
async function holdWriteLock(holdMs: number): Promise<{ released: Promise<void> }> {
	const script = `
		const db = new (require('better-sqlite3'))(process.argv[1]);
		db.exec('BEGIN IMMEDIATE');
		console.log('locked');
		setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, Number(process.argv[2]));`;
	const child = spawn(
		process.execPath,
		['-e', script, join(server.dir, 'app.db'), String(holdMs)],
		{
			stdio: ['ignore', 'pipe', 'inherit']
		}
	);
	const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	await new Promise<void>((resolve, reject) => {
		child.stdout.once('data', () => resolve());
		child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
	});
	return { released };
}

describe.skipIf(testEngine === 'postgres')('SQLite busy', () => {
	beforeEach(async () => {
		await setUp(false);
	});

	it('a second writer holding BEGIN IMMEDIATE for a moment: ingest waits within busy_timeout and is accepted', async () => {
		const body = await bodyFor(0);
		const lock = await holdWriteLock(500);
		const answer = await ingest(body);
		await lock.released;
		expect(answer.status).toBe(201);
		expect(await inconsistencies(join(server.dir, 'app.db'), server.blobs.dir)).toEqual([]);
	});

	it('SERVER_BUSY: a second writer holding the lock past busy_timeout gets a clear 503, nothing stored, the database intact, and the retry is accepted', async () => {
		const body = await bodyFor(0);
		const before = await counts();
		const lock = await holdWriteLock(7_000);
		const answer = await ingest(body);
		await lock.released;
		expect(answer.status).toBe(503);
		expect(refused(answer)).toBe('SERVER_BUSY');
		expect(await counts()).toEqual(before);
		expect(await inconsistencies(join(server.dir, 'app.db'), server.blobs.dir)).toEqual([]);
		expect((await ingest(body)).status).toBe(201);
	}, 30_000);
});
