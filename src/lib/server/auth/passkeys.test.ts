import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty } from '../platform/seed';
import {
	authenticationOptions,
	CHALLENGE_TTL_MS,
	consumeChallenge,
	issueChallenge,
	listPasskeys,
	normalisePasskeyName,
	registrationOptions,
	renamePasskey,
	revokePasskey,
	verifyAuthentication,
	type PasskeyDeps
} from './passkeys';
import { bindSessionCredential, createSession, sessionFor } from './sessions';
import { topUpTickets } from './tickets';
import { openTestDatabase } from '../../../../tests/support/test-db';

// Ceremony verification itself is proved end to end in tests/e2e/passkeys.spec.ts with
// Chromium's virtual authenticator; these tests cover the rules around it on a real database.

let dir: string;
let open: OpenDatabase;
let now = new Date('2026-03-01T08:00:00Z');
const clock = () => now;
let admin: User;
let deps: PasskeyDeps;

beforeEach(async () => {
	now = new Date('2026-03-01T08:00:00Z');
	dir = await mkdtemp(join(tmpdir(), 'sealpass-passkeys-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	await seedIfEmpty(open.db, new FolderBlobStore(join(dir, 'blobs'), 1 << 20), clock, false);
	admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	deps = { db: open.db, clock, origin: 'https://sign.example.cn' };
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

async function addCredential(id: string, createdAt: string) {
	await open.db
		.insertInto('credentials')
		.values({
			id,
			user_id: admin.id,
			public_key: Buffer.from([1, 2, 3]),
			counter: 0,
			transports: '["internal"]',
			device_type: 'singleDevice',
			backed_up: 0,
			name: `key ${id}`,
			created_at: createdAt,
			last_used_at: null,
			revoked_at: null
		})
		.execute();
}

describe('WebAuthn challenges', () => {
	it('are spent exactly once, even when two verifications race', async () => {
		const challenge = await issueChallenge(open.db, clock, 'login', null);
		const results = await Promise.all([
			consumeChallenge(open.db, clock, challenge, 'login', null),
			consumeChallenge(open.db, clock, challenge, 'login', null)
		]);
		expect(results.sort()).toEqual([false, true]);
		expect(await consumeChallenge(open.db, clock, challenge, 'login', null)).toBe(false);
	});

	it('expire after five minutes', async () => {
		const challenge = await issueChallenge(open.db, clock, 'login', null);
		now = new Date(now.getTime() + CHALLENGE_TTL_MS);
		expect(await consumeChallenge(open.db, clock, challenge, 'login', null)).toBe(false);
	});

	it('count only for their purpose and their user', async () => {
		const challenge = await issueChallenge(open.db, clock, 'register', admin.id);
		expect(await consumeChallenge(open.db, clock, challenge, 'login', null)).toBe(false);
		expect(await consumeChallenge(open.db, clock, challenge, 'register', 'someone-else')).toBe(
			false
		);
		expect(await consumeChallenge(open.db, clock, challenge, 'register', admin.id)).toBe(true);
	});

	it('are swept once expired, when the next one is issued', async () => {
		await issueChallenge(open.db, clock, 'login', null);
		now = new Date(now.getTime() + CHALLENGE_TTL_MS + 1);
		await issueChallenge(open.db, clock, 'login', null);
		const rows = await open.db.selectFrom('webauthn_challenges').select('id').execute();
		expect(rows).toHaveLength(1);
	});
});

describe('ceremony options', () => {
	it('ask for a discoverable, user-verified passkey and exclude the ones the user has', async () => {
		await addCredential('Y3JlZC1h', '2026-01-01T00:00:00Z');
		const options = await registrationOptions(deps, admin);
		expect(options.rp).toEqual({ name: '签章通 SealPass', id: 'sign.example.cn' });
		expect(options.authenticatorSelection).toMatchObject({
			residentKey: 'required',
			userVerification: 'required'
		});
		expect(options.hints).toEqual(['client-device']);
		expect(options.excludeCredentials).toEqual([
			{ id: 'Y3JlZC1h', type: 'public-key', transports: ['internal'] }
		]);
		const stored = await open.db
			.selectFrom('webauthn_challenges')
			.selectAll()
			.where('challenge', '=', options.challenge)
			.executeTakeFirstOrThrow();
		expect(stored).toMatchObject({ purpose: 'register', user_id: admin.id, used_at: null });
	});

	it('for login name no credentials and require user verification', async () => {
		const options = await authenticationOptions(deps);
		expect(options.allowCredentials).toEqual([]);
		expect(options.userVerification).toBe('required');
		expect(options.rpId).toBe('sign.example.cn');
	});
});

describe('login verification refusals', () => {
	const clientData = (challenge: string) =>
		Buffer.from(
			JSON.stringify({ type: 'webauthn.get', challenge, origin: 'https://sign.example.cn' })
		).toString('base64url');
	const assertion = (id: string, challenge: string) => ({
		id,
		rawId: id,
		type: 'public-key' as const,
		clientExtensionResults: {},
		response: { clientDataJSON: clientData(challenge), authenticatorData: '', signature: '' }
	});

	it('refuses a challenge the server never issued, and an unknown passkey', async () => {
		expect(await verifyAuthentication(deps, assertion('eA', 'bm90LWlzc3VlZA'))).toMatchObject({
			ok: false,
			code: 'PASSKEY_CHALLENGE_INVALID'
		});
		const { challenge } = await authenticationOptions(deps);
		expect(await verifyAuthentication(deps, assertion('eA', challenge))).toMatchObject({
			ok: false,
			code: 'PASSKEY_UNKNOWN'
		});
		// The failed attempt spent the challenge: it cannot be tried again.
		expect(await verifyAuthentication(deps, assertion('eA', challenge))).toMatchObject({
			ok: false,
			code: 'PASSKEY_CHALLENGE_INVALID'
		});
	});

	it('treats a revoked passkey as unknown', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		await addCredential('b', '2026-01-02T00:00:00Z');
		expect(await revokePasskey(open.db, clock, admin.id, 'a')).toMatchObject({ ok: true });
		const { challenge } = await authenticationOptions(deps);
		expect(await verifyAuthentication(deps, assertion('a', challenge))).toMatchObject({
			ok: false,
			code: 'PASSKEY_UNKNOWN'
		});
	});
});

describe('managing passkeys', () => {
	it('renames a passkey with a trimmed name and refuses an empty or over-long one', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		expect(await renamePasskey(open.db, admin.id, 'a', '  Work   laptop ')).toMatchObject({
			ok: true,
			value: { id: 'a', name: 'Work laptop' }
		});
		expect(await renamePasskey(open.db, admin.id, 'a', '   ')).toMatchObject({
			ok: false,
			code: 'PASSKEY_NAME_INVALID'
		});
		expect(await renamePasskey(open.db, admin.id, 'a', '钥'.repeat(61))).toMatchObject({
			ok: false,
			code: 'PASSKEY_NAME_INVALID'
		});
		expect(await renamePasskey(open.db, 'someone-else', 'a', 'Mine now')).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
		expect((await listPasskeys(open.db, admin.id)).map((p) => p.name)).toEqual(['Work laptop']);
	});

	it('counts characters, not UTF-16 units, against the 60-character limit', () => {
		expect(normalisePasskeyName('🔑'.repeat(60))).toBe('🔑'.repeat(60));
		expect(normalisePasskeyName('🔑'.repeat(61))).toBeNull();
	});

	it('revokes a passkey but never the last active one', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		await addCredential('b', '2026-01-02T00:00:00Z');
		expect(await revokePasskey(open.db, clock, admin.id, 'a')).toMatchObject({ ok: true });
		expect(await revokePasskey(open.db, clock, admin.id, 'a')).toMatchObject({
			code: 'NOT_FOUND'
		});
		expect(await revokePasskey(open.db, clock, admin.id, 'b')).toMatchObject({
			ok: false,
			code: 'PASSKEY_LAST'
		});
		expect((await listPasskeys(open.db, admin.id)).map((p) => p.id)).toEqual(['b']);
	});

	it('ends every session signed in with the revoked passkey at once, and only those', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		await addCredential('b', '2026-01-02T00:00:00Z');
		const phone = await createSession(open.db, admin.id, clock, 'a');
		const phoneAgain = await createSession(open.db, admin.id, clock, 'a');
		const laptop = await createSession(open.db, admin.id, clock, 'b');
		expect((await sessionFor(open.db, phone.token, clock))?.credentialId).toBe('a');
		expect(await revokePasskey(open.db, clock, admin.id, 'a')).toEqual({
			ok: true,
			value: { sessionsEnded: 2, ticketsRevoked: 0 }
		});
		expect(await sessionFor(open.db, phone.token, clock)).toBeNull();
		expect(await sessionFor(open.db, phoneAgain.token, clock)).toBeNull();
		expect(await sessionFor(open.db, laptop.token, clock)).toMatchObject({
			user: { id: admin.id },
			credentialId: 'b'
		});
	});

	it('ends the session enrolment bound to the passkey (a setup-link or invite session)', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		await addCredential('b', '2026-01-02T00:00:00Z');
		const enrolling = await createSession(open.db, admin.id, clock);
		expect((await sessionFor(open.db, enrolling.token, clock))?.credentialId).toBeNull();
		await bindSessionCredential(open.db, enrolling.token, 'a', clock);
		// A bound session keeps the passkey it was opened with when another one is added.
		await bindSessionCredential(open.db, enrolling.token, 'b', clock);
		expect((await sessionFor(open.db, enrolling.token, clock))?.credentialId).toBe('a');
		expect(await revokePasskey(open.db, clock, admin.id, 'a')).toMatchObject({
			ok: true,
			value: { sessionsEnded: 1 }
		});
		expect(await sessionFor(open.db, enrolling.token, clock)).toBeNull();
	});

	it("revokes the passkey's unused tickets, keeps its used ones, and refuses it more", async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		await addCredential('b', '2026-01-02T00:00:00Z');
		const pool = await topUpTickets(open.db, clock, admin.id, 'a');
		if (!pool.ok) throw new Error(pool.code);
		await topUpTickets(open.db, clock, admin.id, 'b');
		const spent = pool.value.tickets[0]!.id;
		await open.db
			.updateTable('tickets')
			.set({ used_at: now.toISOString() })
			.where('id', '=', spent)
			.execute();
		const result = await revokePasskey(open.db, clock, admin.id, 'a');
		expect(result).toEqual({
			ok: true,
			value: { sessionsEnded: 0, ticketsRevoked: pool.value.tickets.length - 1 }
		});
		const rows = await open.db
			.selectFrom('tickets')
			.select(['id', 'credential_id', 'used_at', 'revoked_at'])
			.execute();
		for (const row of rows) {
			const revoked = row.credential_id === 'a' && row.id !== spent;
			expect(row.revoked_at, row.id).toBe(revoked ? now.toISOString() : null);
		}
		expect(await topUpTickets(open.db, clock, admin.id, 'a')).toMatchObject({
			ok: false,
			code: 'PASSKEY_UNKNOWN'
		});
	});

	it('keeps one passkey when two revokes of the last two race', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		await addCredential('b', '2026-01-02T00:00:00Z');
		const results = await Promise.all([
			revokePasskey(open.db, clock, admin.id, 'a'),
			revokePasskey(open.db, clock, admin.id, 'b')
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(await listPasskeys(open.db, admin.id)).toHaveLength(1);
	});

	it('reads the stored public key back as bytes', async () => {
		await addCredential('a', '2026-01-01T00:00:00Z');
		const row = await open.db
			.selectFrom('credentials')
			.select('public_key')
			.executeTakeFirstOrThrow();
		expect([...new Uint8Array(row.public_key)]).toEqual([1, 2, 3]);
	});
});
