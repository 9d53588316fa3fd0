import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type OpenDatabase } from '.';
import { copyDatabase } from './migrate-data';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty } from '../platform/seed';
import { anchorAuditHead, recordAudit, verifyAuditLog } from '../audit';
import { openTestDatabase, testEngine } from '../../../../tests/support/test-db';

// Copying needs a PostgreSQL target: this file runs in the PostgreSQL pass (npm run test:pg).

let dir: string;
let source: OpenDatabase;
let target: OpenDatabase;
const clock = () => new Date('2026-03-01T08:00:00Z');

describe.skipIf(testEngine !== 'postgres')('migrate-data (SQLite → PostgreSQL)', () => {
	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'sealpass-migrate-data-'));
		source = openDatabase(`sqlite:${join(dir, 'source.db')}`);
		await migrateToLatest(source);
		await seedIfEmpty(source.db, new FolderBlobStore(join(dir, 'blobs'), 1 << 22), clock, true);
		const admin = await source.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
		for (let i = 0; i < 5; i++) {
			await recordAudit(source.db, clock, admin.id, {
				kind: 'envelope.viewed',
				subject: `env-${i}`,
				data: { revision: i + 1 }
			});
		}
		await anchorAuditHead(source.db, clock);
		target = await openTestDatabase(join(dir, 'target'));
	});
	afterEach(async () => {
		await source.close();
		await target.close();
		await rm(dir, { recursive: true, force: true });
	});

	it('copies every row of every table, and the audit chain verifies at the target', async () => {
		const report = await copyDatabase(source, target);
		const names = report.tables.map((t) => t.name);
		// Parents before children: the copy ran with foreign keys checked.
		expect(names.indexOf('organisations')).toBeLessThan(names.indexOf('users'));
		expect(names.indexOf('envelopes')).toBeLessThan(names.indexOf('submissions'));
		for (const { name, rows } of report.tables) {
			const count = await target.db
				.selectFrom(name as 'users')
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.executeTakeFirstOrThrow();
			expect({ name, rows: count.n }).toEqual({ name, rows });
		}
		const copied = report.tables.find((t) => t.name === 'audit_log')!.rows;
		expect(copied).toBeGreaterThanOrEqual(5);
		const sourceRows = await source.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
		const targetRows = await target.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
		expect(targetRows).toEqual(sourceRows);
		expect(await verifyAuditLog(target.db)).toMatchObject({
			ok: true,
			checked: copied,
			firstBroken: null
		});
		// Envelope change numbers are copied, not renumbered by the sync triggers.
		const seq = (open: OpenDatabase) =>
			open.db.selectFrom('envelopes').select(['id', 'change_seq']).orderBy('id').execute();
		expect(await seq(target)).toEqual(await seq(source));
		// The triggers are back on: the copied chain is append-only again.
		await expect(target.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
	});

	it('refuses a target that already holds rows, and leaves it as it was', async () => {
		await copyDatabase(source, target);
		await expect(copyDatabase(source, target)).rejects.toThrow(/not empty/);
	});
});
