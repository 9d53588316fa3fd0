import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Sqlite from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
	createScratchDatabase,
	testDatabaseUrl,
	testEngine
} from '../../../../tests/support/test-db';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFinalisingWorld, type ReviewWorld } from '../../../../tests/support/review-world';
import { inconsistencies, postgresInconsistencies } from '../../../../tests/support/consistency';
import { FINALISE_JOB } from '$lib/domain/completion';
import { unpackEvidence } from '$lib/evidence/format';
import { verifyEvidence } from '$lib/evidence/verify';
import { currentMigration, migrateToLatest, migrationNames, openDatabase } from '../db';
import { verifyAuditLog } from '../audit';
import { signPdf, type SigningIdentity } from '../signing';
import { evidenceArchive, finaliseEnvelope } from '../finalise';
import { FolderBlobStore } from './blob-folder';
import { sha256Of } from './blob-store';
import { JobRunner } from './job-runner';

// The backup procedure of docs/deploy.md, run for real on a populated installation: the database
// first (SQLite's online backup API on a second connection while the app's is open, or pg_dump on
// PostgreSQL), then the blob folder; restored into a fresh folder (and a new PostgreSQL database
// by pg_restore) and opened as the app opens it. The server keys stay those of this process, as a
// restore brings the secrets file back beside the data.

const run = promisify(execFile);

/** The restored installation: the database URL the app would be given, and its blob folder. */
interface Restored {
	url: string;
	drop: () => Promise<void>;
}

/** SQLite: the online backup API copies the file while the app's connection stays open. */
async function backupSqlite(dir: string, backup: string): Promise<void> {
	const source = new Sqlite(join(dir, 'app.db'), { readonly: true });
	try {
		await source.backup(join(backup, 'app.db'));
	} finally {
		source.close();
	}
}

async function restoreSqlite(backup: string, restored: string): Promise<Restored> {
	await cp(join(backup, 'app.db'), join(restored, 'app.db'));
	return { url: `sqlite:${join(restored, 'app.db')}`, drop: async () => {} };
}

/** The test world's schema on PostgreSQL, and its server URL without the search_path option. */
async function postgresSource(dir: string): Promise<{ server: URL; schema: string }> {
	const server = new URL(await testDatabaseUrl(join(dir, 'app.db')));
	const schema = /search_path=(\w+)/.exec(server.searchParams.get('options') ?? '')![1]!;
	server.searchParams.delete('options');
	return { server, schema };
}

/** PostgreSQL: pg_dump's custom format, one consistent snapshot, as docs/deploy.md runs it. */
async function backupPostgres(dir: string, backup: string): Promise<void> {
	const { server, schema } = await postgresSource(dir);
	await run('pg_dump', [
		'--format=custom',
		`--schema=${schema}`,
		`--file=${join(backup, 'sealpass.dump')}`,
		server.toString()
	]);
}

/** Into a new, empty database (as after losing the old server), then opened on the same schema. */
async function restorePostgres(dir: string, backup: string): Promise<Restored> {
	const { schema } = await postgresSource(dir);
	const database = await createScratchDatabase('sealpass_restore');
	const target = new URL(database.url);
	await run('pg_restore', [
		'--no-owner',
		`--dbname=${target.toString()}`,
		join(backup, 'sealpass.dump')
	]);
	target.searchParams.set('options', `-c search_path=${schema}`);
	return {
		url: target.toString(),
		drop: database.drop
	};
}

const engine =
	testEngine === 'postgres'
		? { backup: backupPostgres, restore: restorePostgres, file: 'sealpass.dump' }
		: {
				backup: backupSqlite,
				restore: (dir: string, b: string, r: string) => restoreSqlite(b, r),
				file: 'app.db'
			};

let world: ReviewWorld;
let identity: SigningIdentity;
let scratch: string;

beforeEach(async () => {
	({ world, identity } = await createFinalisingWorld());
	scratch = await mkdtemp(join(tmpdir(), 'sealpass-backup-'));
});

afterEach(async () => {
	await world.close();
	await rm(scratch, { recursive: true, force: true });
});

describe(`backup and restore of a ${testEngine === 'postgres' ? 'PostgreSQL' : 'SQLite'} installation`, () => {
	it(
		'a restored copy opens, its audit chain verifies and a finished contract’s evidence is valid',
		{ timeout: 90_000 },
		async () => {
			// A finished contract: signed, then finalised by the job the last signature queued.
			await world.addContract('env-1', '设备采购合同 Equipment purchase');
			await world.sign('env-1');
			const runner = new JobRunner(world.open.db, () => world.now()).register(
				FINALISE_JOB,
				(job, owner) =>
					finaliseEnvelope(
						{
							db: world.open.db,
							blobs: world.blobs,
							clock: () => world.now(),
							origin: 'https://sign.example.cn',
							signPdf: (pdf, at) => signPdf(pdf, identity, { signingTime: at })
						},
						job,
						owner
					)
			);
			await runner.runDue();
			await runner.stop();
			const finished = await world.open.db
				.selectFrom('envelopes')
				.select(['final_sha256'])
				.where('id', '=', 'env-1')
				.executeTakeFirstOrThrow();
			expect(finished.final_sha256).toMatch(/^[0-9a-f]{64}$/);
			// The installation's blob folder (the test server keeps it beside the database).
			const blobDir = join(world.dir, 'blobs');
			// A writer killed mid-blob leaves a temporary file; the backup must not carry it.
			await writeFile(join(blobDir, '.tmp-killed-writer'), 'half a blob');

			// Backup while the app's connection stays open: database first, then the blobs.
			const backup = join(scratch, 'backup');
			await mkdir(backup);
			await engine.backup(world.dir, backup);
			await cp(blobDir, join(backup, 'blobs'), {
				recursive: true,
				filter: (path) => !path.split('/').pop()!.startsWith('.tmp-')
			});
			expect((await readdir(backup)).sort()).toEqual([engine.file, 'blobs'].sort());

			// Restore into a fresh folder (and database) and open it as start-up does.
			const restored = join(scratch, 'restored');
			await mkdir(restored);
			await cp(join(backup, 'blobs'), join(restored, 'blobs'), { recursive: true });
			const target = await engine.restore(world.dir, backup, restored);
			const open = openDatabase(target.url);
			try {
				expect(
					testEngine === 'sqlite'
						? await inconsistencies(join(restored, 'app.db'), join(restored, 'blobs'))
						: await postgresInconsistencies(open.db)
				).toEqual([]);
				expect(await migrateToLatest(open)).toEqual([]);
				expect(await currentMigration(open)).toBe((await migrationNames()).at(-1));
				const blobs = new FolderBlobStore(join(restored, 'blobs'), 1 << 24);

				const audit = await verifyAuditLog(open.db);
				expect(audit).toMatchObject({ ok: true, firstBroken: null });
				expect(audit.checked).toBeGreaterThan(0);
				// The same chain as the live database's, up to its signed head.
				expect(audit.anchor).toEqual((await verifyAuditLog(world.open.db)).anchor);

				const final = (await blobs.get(finished.final_sha256!))!;
				expect(sha256Of(final)).toBe(finished.final_sha256);
				const archive = await evidenceArchive(
					{
						db: open.db,
						blobs,
						origin: 'https://sign.example.cn',
						signingCertificate: identity.certificate,
						renderer: 'sealpass test'
					},
					world.alice,
					'env-1'
				);
				if (!archive.ok) throw new Error(archive.message);
				expect(archive.final).toBe(true);
				const unpacked = await unpackEvidence(archive.bytes);
				if (!unpacked.ok) throw new Error(unpacked.message);
				const report = await verifyEvidence(unpacked.bundle);
				expect(report.codes).toEqual([]);
				expect(report.verdict).toBe('valid');
				expect(report.signers).toHaveLength(1);
			} finally {
				await open.close();
				await target.drop();
			}
		}
	);
});
