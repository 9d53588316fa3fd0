import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeMember, listMembers } from '.';
import { authenticationOptions, createSession, sessionFor, verifyAuthentication } from '../auth';
import { listOrgUsers } from '../contracts';
import { requireSealKeeper } from '../platform/guards';
import {
	addPasskey,
	insertOrgs,
	insertUsers,
	openTestServer,
	ORIGIN,
	RP_ID,
	ticketPool,
	type TestServer
} from '../../../../tests/support/test-server';
import type { User } from '../db/schema';

let server: TestServer;
let admin: User;
let bob: User;
let other: User;

beforeEach(async () => {
	server = await openTestServer('members');
	const at = server.now().toISOString();
	await insertOrgs(server.db, at, [{ id: 'org' }, { id: 'org-b', name: '乙', nameEn: 'B' }]);
	const users = await insertUsers(server.db, at, [
		{ id: 'alice', role: 'admin', displayName: '王芳' },
		{ id: 'bob', displayName: '李雷' },
		{ id: 'carol', org: 'org-b', role: 'admin' }
	]);
	[admin, bob, other] = users as [User, User, User];
});

afterEach(async () => {
	await server.close();
});

const deps = () => ({ db: server.db, clock: server.clock });
const reload = async (id: string) =>
	server.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('members', () => {
	it('MB1: a seal keeper passes the seal guard, a signer does not; the change is audited', async () => {
		expect(() => requireSealKeeper(bob)).toThrow();
		expect(
			await changeMember(deps(), admin, 'bob', { kind: 'role', role: 'seal_keeper' })
		).toMatchObject({
			ok: true
		});
		const keeper = await reload('bob');
		expect(requireSealKeeper(keeper).id).toBe('bob');
		expect((await listMembers(server.db, 'org')).find((m) => m.id === 'bob')?.role).toBe(
			'seal_keeper'
		);
		const audit = await server.db
			.selectFrom('audit_log')
			.select(['kind', 'actor', 'subject', 'data'])
			.where('kind', '=', 'member.role-changed')
			.execute();
		expect(audit).toEqual([
			{
				kind: 'member.role-changed',
				actor: 'alice',
				subject: 'bob',
				data: JSON.stringify({ from: 'signer', to: 'seal_keeper' })
			}
		]);
	});

	it('MB3: the last administrator cannot be demoted, even by another organisation; a second admin can be', async () => {
		expect(await changeMember(deps(), admin, 'bob', { kind: 'role', role: 'admin' })).toMatchObject(
			{
				ok: true
			}
		);
		const bobAdmin = await reload('bob');
		expect(
			await changeMember(deps(), bobAdmin, 'alice', { kind: 'role', role: 'signer' })
		).toMatchObject({ ok: true });
		const aliceNow = await reload('alice');
		expect(aliceNow.role).toBe('signer');
		// Bob is now the only administrator: nobody may take that away, and not himself either.
		expect(await changeMember(deps(), bobAdmin, 'bob', { kind: 'deactivate' })).toMatchObject({
			ok: false,
			code: 'FORBIDDEN'
		});
		// Another organisation's administrator does not even find the member.
		expect(await changeMember(deps(), other, 'bob', { kind: 'deactivate' })).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
	});

	it('MB4: deactivation ends the sessions, revokes unspent tickets, refuses sign-in and hides them from signer pickers', async () => {
		const key = await addPasskey(server.db, 'bob', server.now().toISOString());
		const pool = await ticketPool(server.db, server.clock, 'bob', key.credentialId);
		await server.db
			.updateTable('tickets')
			.set({ used_at: server.now().toISOString() })
			.where('id', '=', pool[0]!.id)
			.execute();
		const { token } = await createSession(server.db, 'bob', server.clock);
		expect((await sessionFor(server.db, token, server.clock))?.user.id).toBe('bob');

		const done = await changeMember(deps(), admin, 'bob', { kind: 'deactivate' });
		expect(done).toMatchObject({ ok: true, sessionsEnded: 1, ticketsRevoked: pool.length - 1 });
		expect(await sessionFor(server.db, token, server.clock)).toBeNull();
		const tickets = await server.db
			.selectFrom('tickets')
			.select(['id', 'used_at', 'revoked_at'])
			.where('user_id', '=', 'bob')
			.execute();
		// The spent ticket is evidence of a signature and stays as it was.
		expect(tickets.find((t) => t.id === pool[0]!.id)?.revoked_at).toBeNull();
		expect(tickets.filter((t) => t.revoked_at !== null)).toHaveLength(pool.length - 1);

		const passkeys = { db: server.db, clock: server.clock, origin: ORIGIN };
		const options = await authenticationOptions(passkeys);
		const login = await verifyAuthentication(
			passkeys,
			await key.assert({
				challenge: Buffer.from(options.challenge, 'base64url'),
				origin: ORIGIN,
				rpId: RP_ID,
				userHandle: 'bob'
			})
		);
		expect(login).toMatchObject({ ok: false, code: 'ACCOUNT_DEACTIVATED' });

		expect((await listOrgUsers(server.db, 'org')).map((u) => u.id)).toEqual(['alice']);
		const listed = (await listMembers(server.db, 'org')).find((m) => m.id === 'bob');
		expect(listed).toMatchObject({ active: false, deactivatedAt: server.now().toISOString() });
		const kinds = await server.db.selectFrom('audit_log').select('kind').execute();
		expect(kinds.map((k) => k.kind)).toContain('member.deactivated');
	});

	it('MB5: a reactivated member signs in anew; nothing that deactivation ended comes back', async () => {
		await addPasskey(server.db, 'bob', server.now().toISOString());
		const { token } = await createSession(server.db, 'bob', server.clock);
		await changeMember(deps(), admin, 'bob', { kind: 'deactivate' });
		expect(await changeMember(deps(), admin, 'bob', { kind: 'reactivate' })).toMatchObject({
			ok: true
		});
		expect((await reload('bob')).deactivated_at).toBeNull();
		expect(await sessionFor(server.db, token, server.clock)).toBeNull();
		expect((await listOrgUsers(server.db, 'org')).map((u) => u.id).sort()).toEqual([
			'alice',
			'bob'
		]);
	});
});
