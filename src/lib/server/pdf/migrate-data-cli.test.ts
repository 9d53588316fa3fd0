import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../db';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty } from '../platform/seed';
import { anchorAuditHead } from '../audit';
import { loadServerKeys } from '../platform/secrets';
import { main } from './cli';
import { openTestDatabase, testDatabaseUrl, testEngine } from '../../../../tests/support/test-db';

// The command line around copyDatabase (db/migrate-data.test.ts tests the copy itself); needs a
// PostgreSQL target, so it runs in the PostgreSQL pass (npm run test:pg).

let dir: string;
let source: OpenDatabase;
const clock = () => new Date('2026-03-01T08:00:00Z');

describe.skipIf(testEngine !== 'postgres')('sealpass migrate-data', () => {
	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'sealpass-migrate-cli-'));
		source = openDatabase(`sqlite:${join(dir, 'source.db')}`);
		await migrateToLatest(source);
		// The server keys of this data folder, as a first start writes them: the CLI reads them.
		await loadServerKeys(source.db, { file: join(dir, 'secrets.json'), env: {}, clock });
		await seedIfEmpty(source.db, new FolderBlobStore(join(dir, 'blobs'), 1 << 22), clock, true);
		// As a start of the server does: the head is signed with this folder's audit key.
		await anchorAuditHead(source.db, clock);
		await source.close();
	});
	afterEach(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('sealpass migrate-data copies and verifies, printing the tables and the verdict', async () => {
		const out: string[] = [];
		const err: string[] = [];
		const io = {
			stdout: { write: (text: string) => out.push(text) },
			stderr: { write: (text: string) => err.push(text) }
		};
		// Opened first so its close drops the test schema the command copied into.
		const target = await openTestDatabase(join(dir, 'target'));
		const url = await testDatabaseUrl(join(dir, 'target'));
		process.env.SECRETS_FILE = join(dir, 'secrets.json');
		try {
			const status = await main(
				['migrate-data', '--from', `sqlite:${join(dir, 'source.db')}`, '--to', url],
				io
			);
			expect(err.join('')).toBe('');
			expect(status).toBe(0);
		} finally {
			delete process.env.SECRETS_FILE;
		}
		const printed = JSON.parse(out.join(''));
		expect(printed.audit).toMatchObject({ ok: true, firstBroken: null });
		expect(printed.tables.find((t: { name: string }) => t.name === 'audit_log').rows).toBe(
			printed.audit.checked
		);
		// The location names the server and database, never the password.
		expect(out.join('')).not.toContain(new URL(url).password || '\u0000');
		try {
			expect(await target.db.selectFrom('users').select('id').execute()).not.toHaveLength(0);
		} finally {
			await target.close();
		}
	});
});
