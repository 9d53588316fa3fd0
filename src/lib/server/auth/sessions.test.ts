import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest, type OpenDatabase } from '../db';
import { FolderBlobStore } from '../platform/blob-folder';
import { checkHealth } from '../platform/health';
import { loadConfig } from '../platform/config';
import {
	bindSessionCredential,
	createSession,
	needsPasskeyCheck,
	sessionCookieName,
	sessionFor
} from './sessions';
import { openTestDatabase, testEngine } from '../../../../tests/support/test-db';

// Real SQLite file through every migration; the clock is the test's.

let dir: string;
let open: OpenDatabase;
let now: Date;
const clock = () => now;
const HOUR = 3_600_000;

beforeEach(async () => {
	now = new Date('2026-03-01T08:00:00Z');
	dir = await mkdtemp(join(tmpdir(), 'sealpass-sessions-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	const at = now.toISOString();
	await open.db
		.insertInto('organisations')
		.values({ id: 'org', name: '示例', name_en: 'Demo', created_at: at })
		.execute();
	await open.db
		.insertInto('users')
		.values({ id: 'alice', org_id: 'org', display_name: 'Alice', role: 'signer', created_at: at })
		.execute();
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

async function addPasskey(id: string) {
	await open.db
		.insertInto('credentials')
		.values({
			id,
			user_id: 'alice',
			public_key: new Uint8Array([1]),
			counter: 0,
			transports: '[]',
			device_type: 'singleDevice',
			backed_up: 0,
			name: id,
			created_at: now.toISOString(),
			last_used_at: null,
			revoked_at: null
		})
		.execute();
}

describe('session idle timeout', () => {
	it('ends a session unused for the idle time; each use moves the idle clock on', async () => {
		const { token } = await createSession(open.db, 'alice', clock);
		now = new Date(now.getTime() + 11 * HOUR);
		expect((await sessionFor(open.db, token, clock, 12 * HOUR))?.user.id).toBe('alice');
		// 11 h after that use: still within 12 h of idleness, though 22 h after sign-in.
		now = new Date(now.getTime() + 11 * HOUR);
		expect((await sessionFor(open.db, token, clock, 12 * HOUR))?.user.id).toBe('alice');
		now = new Date(now.getTime() + 12 * HOUR);
		expect(await sessionFor(open.db, token, clock, 12 * HOUR)).toBeNull();
		// Ended for good: the row is gone, so a later request finds nothing either.
		expect(await open.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
	});

	it('SESSION_IDLE_HOURS sets it (default 12 h) and refuses a non-number', () => {
		expect(loadConfig({}).sessionIdleMs).toBe(12 * HOUR);
		expect(loadConfig({ SESSION_IDLE_HOURS: '2' }).sessionIdleMs).toBe(2 * HOUR);
		expect(() => loadConfig({ SESSION_IDLE_HOURS: 'soon' })).toThrow(/SESSION_IDLE_HOURS/);
	});
});

describe('passkey check before enrolling another passkey', () => {
	it('a user with a passkey needs a check within 5 minutes; a first enrolment does not', async () => {
		// Setup link or invite: no passkey yet, so the first one is enrolled freely.
		const enrolling = await createSession(open.db, 'alice', clock);
		const first = (await sessionFor(open.db, enrolling.token, clock))!;
		expect(await needsPasskeyCheck(open.db, first, clock)).toBe(false);
		await addPasskey('a');
		// Now the account holds a passkey, and this session has not proved it.
		expect(await needsPasskeyCheck(open.db, first, clock)).toBe(true);
		// Enrolling the first passkey in this session counts as its check...
		await bindSessionCredential(open.db, enrolling.token, 'a', clock);
		const bound = (await sessionFor(open.db, enrolling.token, clock))!;
		expect(await needsPasskeyCheck(open.db, bound, clock)).toBe(false);
		// ...for five minutes.
		now = new Date(now.getTime() + 5 * 60_000);
		const later = (await sessionFor(open.db, enrolling.token, clock))!;
		expect(await needsPasskeyCheck(open.db, later, clock)).toBe(true);
		// A passkey sign-in is a check of its own.
		const signedIn = await createSession(open.db, 'alice', clock, 'a');
		const fresh = (await sessionFor(open.db, signedIn.token, clock))!;
		expect(await needsPasskeyCheck(open.db, fresh, clock)).toBe(false);
	});
});

describe('session cookie name', () => {
	it('is __Host- prefixed under https only', () => {
		expect(sessionCookieName(new URL('https://sign.example.cn/api/session'))).toBe(
			'__Host-sp_session'
		);
		expect(sessionCookieName(new URL('http://localhost:3000/api/session'))).toBe('sp_session');
	});
});

describe('SMTP_URL', () => {
	it('refuses smtp:// with credentials to another host, naming no password; allows TLS and a local relay', () => {
		const plain = () => loadConfig({ SMTP_URL: 'smtp://mailer:s3cret@mail.example.com:587' });
		expect(plain).toThrow(
			/SMTP_URL would send the mail password to mail\.example\.com over smtp:\/\//
		);
		expect(plain).not.toThrow(/s3cret/);
		expect(loadConfig({ SMTP_URL: 'smtps://mailer:s3cret@mail.example.com:465' }).smtpUrl).toMatch(
			/^smtps:/
		);
		for (const host of ['localhost', '127.0.0.1', '[::1]']) {
			expect(loadConfig({ SMTP_URL: `smtp://mailer:s3cret@${host}:25` }).smtpUrl).toMatch(/^smtp:/);
		}
		// Without credentials there is no password to leak (a relay that trusts the network).
		expect(loadConfig({ SMTP_URL: 'smtp://relay.example.com:25' }).smtpUrl).toMatch(/^smtp:/);
	});
});

describe('health', () => {
	it('answers from the migration read at start, without reading the migration table per request', async () => {
		const blobs = new FolderBlobStore(join(dir, 'blobs'), 1 << 20);
		const app = { database: open, blobs, version: '1.0.0', migration: '0014-test' };
		// Were the migrator asked, it would find no applied migration in a table emptied here.
		await sql`delete from kysely_migration`.execute(open.db);
		const report = await checkHealth(app);
		expect(report).toMatchObject({
			status: 'ok',
			database: { ok: true, migration: '0014-test' },
			blobs: { ok: true }
		});
	});

	it('names no path or driver message when a dependency fails', async () => {
		const blobs = new FolderBlobStore(join(dir, 'blobs'), 1 << 20);
		await open.close();
		const report = await checkHealth({ database: open, blobs, version: '1.0.0', migration: null });
		expect(report.status).toBe('degraded');
		expect(report.database).toEqual({
			ok: false,
			dialect: testEngine,
			migration: null,
			error: 'The database does not answer'
		});
		// Reopen so afterEach can close it.
		open = await openTestDatabase(join(dir, 'app.db'));
	});
});
