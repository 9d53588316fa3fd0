import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../db/schema';
import { changeMember } from '../members';
import { listInbox } from '../contracts';
import { ingestSubmission } from '../sync';
import {
	authenticationOptions,
	enrolledUsers,
	listPasskeys,
	revokePasskey,
	verifyAuthentication
} from './passkeys';
import { createSession, needsPasskeyCheck, sessionFor, type LiveSession } from './sessions';
import { topUpTickets } from './tickets';
import { recordConsent } from './certification';
import { joinAsPerson, membershipsOf, personOf, switchMembership } from './people';
import { CERTIFICATION_CONSENT_VERSION } from '$lib/domain/personal-certification';
import {
	createSignerWorld,
	WORLD_ORG,
	type SignerWorld
} from '../../../../tests/support/signer-world';
import {
	addPasskey,
	insertContract,
	insertOrgs,
	insertUsers,
	openTestServer,
	ORIGIN,
	RP_ID,
	ticketPool,
	type TestServer
} from '../../../../tests/support/test-server';
import { worldEnvelope } from '../../../../tests/support/signer-world';

// One person in two organisations on a real database (SQLite, or PostgreSQL with
// TEST_DATABASE_URL), with real passkey assertions from a software authenticator. SPEC MO.

let server: TestServer;
let world: SignerWorld;
/** The person's membership in the world organisation, with their passkey. */
let a: User;
/** A fresh invitation of org B (no passkey yet), the row the person joins with. */
let b: User;
let at: string;
const clock = () => server.now();

beforeEach(async () => {
	server = await openTestServer('people');
	at = server.now().toISOString();
	world = await createSignerWorld(server.db, { count: 1, contracts: 1, origin: ORIGIN, at });
	a = world.signers[0]!.user;
	await insertOrgs(server.db, at, [{ id: 'org-b', name: '乙方', nameEn: 'Org B' }]);
	[b] = (await insertUsers(server.db, at, [{ id: 'b-row', org: 'org-b' }])) as [User];
	await insertContract(server.db, {
		id: 'b-contract',
		org: 'org-b',
		at,
		envelope: worldEnvelope('b-contract'),
		signers: { alice: b.id }
	});
});
afterEach(() => server.close());

async function reload(id: string): Promise<User> {
	return server.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A live session of `userId`, opened with `credentialId` (null: an invite-code session). */
async function session(userId: string, credentialId: string | null): Promise<LiveSession> {
	const { token } = await createSession(server.db, userId, clock, credentialId);
	return (await sessionFor(server.db, token, clock))!;
}

/** The person's passkey answering a sign-in challenge, verified as the server does. */
async function provePerson() {
	const deps = { db: server.db, clock, origin: ORIGIN };
	const options = await authenticationOptions(deps);
	const key = world.signers[0]!.key;
	const response = await key.assert({
		challenge: Buffer.from(options.challenge, 'base64url'),
		origin: ORIGIN,
		rpId: RP_ID,
		userHandle: a.id
	});
	const proved = await verifyAuthentication(deps, response);
	if (!proved.ok) throw new Error(proved.message);
	return proved.value;
}

/** Joins b-row to the person through an invite-code session and the person's passkey. */
async function join(): Promise<LiveSession> {
	const invited = await session(b.id, null);
	const proved = await provePerson();
	const joined = await joinAsPerson(
		server.db,
		clock,
		invited,
		proved.user,
		proved.credentialId,
		null
	);
	expect(joined).toEqual({ ok: true });
	return invited;
}

describe('joining a second organisation (MO4)', () => {
	it('MO4: links the invited row to the person who proved their passkey, with their certification', async () => {
		await server.db
			.updateTable('users')
			.set({ cert_level: 'checksum-valid', real_name: '张三', id_number_hash: 'h1' })
			.where('id', '=', a.id)
			.execute();
		const invited = await join();
		const joined = await reload(b.id);
		expect(personOf(joined)).toBe(personOf(await reload(a.id)));
		expect(joined).toMatchObject({ cert_level: 'checksum-valid', real_name: '张三' });
		// The invite session is now bound to the person's passkey and counts as checked.
		const bound = await server.db
			.selectFrom('sessions')
			.selectAll()
			.where('id_hash', '=', invited.idHash)
			.executeTakeFirstOrThrow();
		expect(bound.credential_id).toBe(world.signers[0]!.key.credentialId);
		expect(bound.verified_at).not.toBeNull();
		const kinds = await server.db.selectFrom('audit_log').select('kind').execute();
		expect(kinds.map((k) => k.kind)).toContain('person.joined');
	});

	it('MO1: a new row is a person of its own; nothing links it without a passkey', async () => {
		expect(personOf(await reload(b.id))).toBe(b.id);
		expect(await membershipsOf(server.db, a)).toHaveLength(1);
	});

	it('MO4: refuses a second row in an organisation the person is already in', async () => {
		await join();
		const [again] = (await insertUsers(server.db, at, [{ id: 'b-again', org: 'org-b' }])) as [User];
		const proved = await provePerson();
		const second = await session(again.id, null);
		const refused = await joinAsPerson(
			server.db,
			clock,
			second,
			proved.user,
			proved.credentialId,
			null
		);
		expect(refused).toMatchObject({ ok: false, code: 'ALREADY_MEMBER' });
		expect(personOf(await reload(again.id))).toBe(again.id);
	});

	it('MO4: refuses when the invitation holds another certified number, or already has a passkey', async () => {
		await server.db
			.updateTable('users')
			.set({ id_number_hash: 'mine' })
			.where('id', '=', a.id)
			.execute();
		await server.db
			.updateTable('users')
			.set({ id_number_hash: 'other' })
			.where('id', '=', b.id)
			.execute();
		const proved = await provePerson();
		const invited = await session(b.id, null);
		expect(
			await joinAsPerson(server.db, clock, invited, proved.user, proved.credentialId, null)
		).toMatchObject({ ok: false, code: 'PERSON_MISMATCH' });
		await server.db
			.updateTable('users')
			.set({ id_number_hash: null })
			.where('id', '=', b.id)
			.execute();
		await addPasskey(server.db, b.id, at);
		expect(
			await joinAsPerson(server.db, clock, invited, proved.user, proved.credentialId, null)
		).toMatchObject({ ok: false, code: 'FORBIDDEN' });
		expect(personOf(await reload(b.id))).toBe(b.id);
	});
});

describe('switching organisation (MO2, MO3, MO5)', () => {
	it('MO2/MO3: lists both memberships and moves the session to the sibling row', async () => {
		await join();
		const mine = await session(a.id, world.signers[0]!.key.credentialId);
		const listed = await membershipsOf(server.db, mine.user);
		expect(listed.map((m) => [m.orgId, m.current]).sort()).toEqual([
			['org-b', false],
			[WORLD_ORG, true]
		]);
		const switched = await switchMembership(server.db, clock, mine, b.id, '10.0.0.1');
		expect(switched).toMatchObject({ ok: true, user: { id: b.id } });
		const row = await server.db
			.selectFrom('sessions')
			.select(['user_id', 'credential_id'])
			.where('id_hash', '=', mine.idHash)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ user_id: b.id, credential_id: world.signers[0]!.key.credentialId });
		// Cross-organisation isolation holds per row: in B the inbox is B's only.
		expect((await listInbox(server.db, b.id)).map((i) => i.id)).toEqual(['b-contract']);
		expect((await listInbox(server.db, a.id)).map((i) => i.id)).toEqual([
			world.signers[0]!.envelopeIds[0]
		]);
	});

	it('MO3: refuses a row of someone else, and a session no passkey opened', async () => {
		await join();
		const [stranger] = (await insertUsers(server.db, at, [{ id: 'stranger', org: 'org-b' }])) as [
			User
		];
		const mine = await session(a.id, world.signers[0]!.key.credentialId);
		expect(await switchMembership(server.db, clock, mine, stranger.id, null)).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
		const codeOnly = await session(a.id, null);
		expect(await switchMembership(server.db, clock, codeOnly, b.id, null)).toMatchObject({
			ok: false,
			code: 'PASSKEY_CHECK_REQUIRED'
		});
		// An unlinked person has no sibling at all.
		const strangerKey = await addPasskey(server.db, stranger.id, at);
		const strangerSession = await session(stranger.id, strangerKey.credentialId);
		expect(await switchMembership(server.db, clock, strangerSession, a.id, null)).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
	});

	it('MO5: deactivation in one organisation leaves the other; sign-in lands on the active one', async () => {
		await join();
		const inB = await session(b.id, world.signers[0]!.key.credentialId);
		const [adminA] = (await insertUsers(server.db, at, [
			{ id: 'admin-a', org: WORLD_ORG, role: 'admin' }
		])) as [User];
		const done = await changeMember({ db: server.db, clock }, adminA, a.id, { kind: 'deactivate' });
		expect(done.ok).toBe(true);
		const stillB = await server.db
			.selectFrom('sessions')
			.select('user_id')
			.where('id_hash', '=', inB.idHash)
			.executeTakeFirst();
		expect(stillB?.user_id).toBe(b.id);
		expect((await membershipsOf(server.db, inB.user)).map((m) => m.orgId)).toEqual(['org-b']);
		expect(await switchMembership(server.db, clock, inB, a.id, null)).toMatchObject({
			ok: false,
			code: 'ACCOUNT_DEACTIVATED'
		});
		// The passkey was enrolled in A; signing in with it now lands in B.
		expect((await provePerson()).user.id).toBe(b.id);
	});
});

describe('the person’s passkey and certification across organisations (MO6, MO7)', () => {
	it('MO6: B draws tickets with the passkey enrolled in A, and enrolment there still needs a check', async () => {
		const inB = await join();
		const pool = await topUpTickets(server.db, clock, b.id, world.signers[0]!.key.credentialId);
		expect(pool.ok).toBe(true);
		const fresh = await session(b.id, world.signers[0]!.key.credentialId);
		expect(await needsPasskeyCheck(server.db, { ...fresh, verifiedAt: null }, clock)).toBe(true);
		expect(inB.user.id).toBe(b.id);
	});

	it('MO6: a confirmation made in A syncs under A after the session moved to B', async () => {
		await join();
		const signer = world.signers[0]!;
		const [ticket] = await ticketPool(server.db, clock, a.id, signer.key.credentialId);
		const body = await world.body(signer, signer.envelopeIds[0]!, ticket!);
		const answer = await ingestSubmission(server.deps, await reload(b.id), body);
		expect(answer.status).toBe(201);
		const stored = await server.db
			.selectFrom('submissions')
			.select(['user_id', 'envelope_id'])
			.executeTakeFirstOrThrow();
		expect(stored).toEqual({ user_id: a.id, envelope_id: signer.envelopeIds[0] });
	});

	it('MO6: a stranger’s session cannot sync another person’s confirmation', async () => {
		const signer = world.signers[0]!;
		const [ticket] = await ticketPool(server.db, clock, a.id, signer.key.credentialId);
		const body = await world.body(signer, signer.envelopeIds[0]!, ticket!);
		const answer = await ingestSubmission(server.deps, b, body);
		expect(answer.status).not.toBe(201);
		expect(await server.db.selectFrom('submissions').select('id').execute()).toEqual([]);
	});

	it('MO6: revoking the passkey ends the session it opened and its tickets in every organisation', async () => {
		await join();
		const key = world.signers[0]!.key;
		await addPasskey(server.db, a.id, at, 'second');
		const mine = await session(a.id, key.credentialId);
		expect((await switchMembership(server.db, clock, mine, b.id, null)).ok).toBe(true);
		await ticketPool(server.db, clock, b.id, key.credentialId);
		expect((await listPasskeys(server.db, b.id)).map((p) => p.id)).toContain(key.credentialId);
		expect(await enrolledUsers(server.db, [b.id])).toEqual(new Set([b.id]));
		const revoked = await revokePasskey(server.db, clock, b.id, key.credentialId);
		// The joining session (bound to it at the join) and the one that moved to B.
		expect(revoked).toMatchObject({ ok: true, value: { sessionsEnded: 2 } });
		const left = await server.db.selectFrom('sessions').select('id_hash').execute();
		expect(left).toEqual([]);
		const live = await server.db
			.selectFrom('tickets')
			.select('id')
			.where('user_id', '=', b.id)
			.where('revoked_at', 'is', null)
			.execute();
		expect(live).toEqual([]);
	});

	it('MO7: consent given in one organisation is the person’s in every one', async () => {
		await join();
		const done = await recordConsent(
			{ db: server.db, clock },
			await reload(b.id),
			CERTIFICATION_CONSENT_VERSION
		);
		expect(done.ok).toBe(true);
		expect((await reload(a.id)).consent_version).toBe(CERTIFICATION_CONSENT_VERSION);
	});
});
