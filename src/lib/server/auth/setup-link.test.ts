import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '../db';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty } from '../platform/seed';
import { issueSetupToken, redeemSetupToken } from './setup-link';
import { createSession, userForSession } from './sessions';
import { openTestDatabase } from '../../../../tests/support/test-db';

let dir: string;
let open: OpenDatabase;
let now = new Date('2026-03-01T08:00:00Z');
const clock = () => now;

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-setup-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	// Without the demo PDF: these tests are about the admin link, not the contract.
	await seedIfEmpty(open.db, new FolderBlobStore(join(dir, 'blobs'), 1 << 20), clock, false);
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

describe('first-admin setup link', () => {
	it('works exactly once, even when two redemptions race', async () => {
		const token = (await issueSetupToken(open.db, clock))!;
		const results = await Promise.all([
			redeemSetupToken(open.db, token, clock),
			redeemSetupToken(open.db, token, clock)
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, code: 'SETUP_LINK_USED' });
		expect(await redeemSetupToken(open.db, token, clock)).toMatchObject({
			ok: false,
			code: 'SETUP_LINK_USED'
		});
	});

	it('is replaced by the link of the next start while unused, and none is issued once used', async () => {
		const first = (await issueSetupToken(open.db, clock))!;
		const second = (await issueSetupToken(open.db, clock))!;
		expect(second).not.toBe(first);
		expect(await redeemSetupToken(open.db, first, clock)).toMatchObject({ ok: false });
		expect(await redeemSetupToken(open.db, second, clock)).toMatchObject({ ok: true });
		expect(await issueSetupToken(open.db, clock)).toBeNull();
	});

	it('refuses a token that was never issued', async () => {
		expect(await redeemSetupToken(open.db, 'x'.repeat(43), clock)).toMatchObject({
			ok: false,
			code: 'SETUP_LINK_INVALID'
		});
	});

	it('opens an admin session that expires after 30 days', async () => {
		const token = (await issueSetupToken(open.db, clock))!;
		const redeemed = await redeemSetupToken(open.db, token, clock);
		if (!redeemed.ok) throw new Error('setup link refused');
		const session = await createSession(open.db, redeemed.userId, clock);
		expect((await userForSession(open.db, session.token, clock))?.role).toBe('admin');
		now = new Date(now.getTime() + 31 * 86_400_000);
		expect(await userForSession(open.db, session.token, clock)).toBeNull();
	});
});
