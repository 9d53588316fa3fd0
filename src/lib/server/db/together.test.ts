import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '.';
import { read, readTogether, runTogether } from './together';
import { openTestDatabase } from '../../../../tests/support/test-db';

// runTogether sends a transaction's statements without waiting for each answer (pipelined on
// PostgreSQL). Ingest relies on it keeping the order and the all-or-nothing of a transaction.

let dir: string;
let open: OpenDatabase;
const at = '2026-03-01T08:00:00.000Z';
const blob = (sha256: string, size = 1) => ({
	sha256,
	size,
	media_type: 'image/png',
	created_at: at
});

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-together-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

it('runs the statements in the given order: each sees the writes before it', async () => {
	const [, , read] = await open.db
		.transaction()
		.execute((trx) =>
			runTogether(trx, [
				trx.insertInto('blobs').values(blob('a')),
				trx.updateTable('blobs').set({ size: 2 }).where('sha256', '=', 'a'),
				trx.selectFrom('blobs').select(['sha256', 'size']).where('sha256', '=', 'a')
			])
		);
	expect(read.rows).toEqual([{ sha256: 'a', size: 2 }]);
});

it('a failing statement fails the transaction: nothing of it stays, and the next transaction works', async () => {
	const failure = await open.db
		.transaction()
		.execute((trx) =>
			runTogether(trx, [
				trx.insertInto('blobs').values(blob('a')),
				trx.insertInto('blobs').values(blob('a')),
				trx.insertInto('blobs').values(blob('b'))
			])
		)
		.catch((error: unknown) => error);
	// The first failure is the one reported (the duplicate key), not a follow-on one.
	expect(String(failure)).toMatch(/unique|duplicate/i);
	expect(await open.db.selectFrom('blobs').select('sha256').execute()).toEqual([]);
	await open.db
		.transaction()
		.execute((trx) => runTogether(trx, [trx.insertInto('blobs').values(blob('c'))]));
	expect(await open.db.selectFrom('blobs').select('sha256').execute()).toEqual([{ sha256: 'c' }]);
});

it('readTogether answers each read with its own mapping, and a read with no query with no rows', async () => {
	await open.db
		.insertInto('blobs')
		.values([blob('a', 3), blob('b', 4)])
		.execute();
	const answers = await open.db.transaction().execute((trx) =>
		readTogether(trx, {
			size: read(
				trx.selectFrom('blobs').select('size').where('sha256', '=', 'b'),
				(rows) => rows[0]?.size ?? null
			),
			nothing: read(null, (rows) => rows.length),
			hashes: read(trx.selectFrom('blobs').select('sha256').orderBy('sha256'), (rows) =>
				rows.map((r) => r.sha256)
			)
		})
	);
	expect(answers).toEqual({ size: 4, nothing: 0, hashes: ['a', 'b'] });
});
