import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inviteLinkInfo, issueRecovery, redeemLink } from '.';
import {
	authenticationOptions,
	createInvite,
	createSession,
	listInvites,
	recordConsent,
	redeemInvite,
	resendInviteCode,
	saveDetails,
	sessionFor,
	verifyAuthentication,
	type InviteDeps
} from '../auth';
import type { NotifyMessage } from '../platform/notify';
import { inviteWorld, linkIn, wrongCode } from '../../../../tests/support/invite-world';
import { residentIdCheckChar } from '$lib/domain/validators';
import { CERTIFICATION_CONSENT_VERSION } from '$lib/domain/personal-certification';
import { INVITE_RESEND_COOLDOWN_MS } from '$lib/domain/invite';
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
let otherAdmin: User;
let deps: InviteDeps;
let sent: NotifyMessage[];

const ID = (() => {
	const body = '11010519491231002';
	return body + residentIdCheckChar(body)!;
})();
const OTHER_ID = (() => {
	const body = '11010519800101003';
	return body + residentIdCheckChar(body)!;
})();

beforeEach(async () => {
	server = await openTestServer('recovery');
	const at = server.now().toISOString();
	await insertOrgs(server.db, at, [{ id: 'org' }, { id: 'org-b', name: '乙', nameEn: 'B' }]);
	[admin, otherAdmin] = (await insertUsers(server.db, at, [
		{ id: 'alice', role: 'admin', displayName: '王芳' },
		{ id: 'carol', org: 'org-b', role: 'admin' }
	])) as [User, User];
	({ deps, sent } = inviteWorld(server.db, server.clock));
});

afterEach(async () => {
	await server.close();
});

/** The token and code of the newest message. */
function lastMessage() {
	const body = sent.at(-1)!.body;
	return { ...linkIn(body), body };
}

/** A member invited, enrolled with a passkey and (optionally) certified with ID, as in the app. */
async function member(certified: boolean) {
	const created = await createInvite(deps, admin, { name: '李雷', contact: 'lilei@example.cn' });
	if (!created.ok) throw new Error(created.code);
	const { token, code } = lastMessage();
	const redeemed = await redeemInvite(deps, { token, code, ip: null });
	if (!redeemed.ok) throw new Error(redeemed.code);
	const id = redeemed.userId;
	const load = () =>
		server.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
	if (certified) {
		await recordConsent(deps, await load(), CERTIFICATION_CONSENT_VERSION);
		const saved = await saveDetails(deps, await load(), {
			realName: '李雷',
			idNumber: ID,
			ip: null
		});
		if (!saved.ok) throw new Error(saved.code);
	}
	const key = await addPasskey(server.db, id, server.now().toISOString());
	const pool = await ticketPool(server.db, server.clock, id, key.credentialId);
	// One ticket spent: the evidence of a signature, which recovery must leave alone.
	await server.db
		.updateTable('tickets')
		.set({ used_at: server.now().toISOString() })
		.where('id', '=', pool[0]!.id)
		.execute();
	const session = await createSession(server.db, id, server.clock, key.credentialId);
	return { id, key, pool, session, load };
}

async function issue(memberId: string, keepPasskeys = false) {
	const issued = await issueRecovery(deps, admin, memberId, { keepPasskeys });
	if (!issued.ok) throw new Error(issued.code);
	return { ...issued, ...lastMessage() };
}

const auditKinds = async () =>
	(await server.db.selectFrom('audit_log').select('kind').orderBy('seq').execute()).map(
		(r) => r.kind
	);

describe('re-enrolment links', () => {
	it('RC1: binds the link to the existing account, sends it to the contact on record, and is audited', async () => {
		const bob = await member(false);
		const users = await server.db.selectFrom('users').select('id').execute();
		const issued = await issue(bob.id);
		expect(sent.at(-1)!.to).toBe('lilei@example.cn');
		expect(issued.body).toContain('new passkey for your existing SealPass account');
		const row = await server.db
			.selectFrom('invites')
			.selectAll()
			.where('id', '=', issued.inviteId)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({ user_id: bob.id, purpose: 'recover', keep_passkeys: 0 });
		// No new account.
		expect(await server.db.selectFrom('users').select('id').execute()).toHaveLength(users.length);
		expect(await auditKinds()).toContain('recovery.issued');
		// The admin's invite list names it for what it is.
		const listed = (await listInvites(deps, 'org')).find((i) => i.id === issued.inviteId);
		expect(listed).toMatchObject({ name: '李雷', purpose: 'recover', status: 'pending' });
		expect(await inviteLinkInfo(deps, issued.token)).toEqual({
			ok: true,
			purpose: 'recover',
			idNumberRequired: false
		});

		// The code can be sent again, in the re-enrolment wording.
		server.setNow(new Date(server.now().getTime() + INVITE_RESEND_COOLDOWN_MS));
		expect(await resendInviteCode(deps, { token: issued.token, ip: null })).toMatchObject({
			ok: true
		});
		expect(lastMessage().body).toContain('new passkey for your existing SealPass account');

		// A newer link replaces it: the old one no longer opens, and says why (not "wrong codes").
		await issue(bob.id);
		const old = await redeemLink(deps, { token: issued.token, code: issued.code, ip: null });
		expect(old).toMatchObject({ ok: false, code: 'INVITE_REPLACED' });
		server.setNow(new Date(server.now().getTime() + INVITE_RESEND_COOLDOWN_MS));
		expect(await resendInviteCode(deps, { token: issued.token, ip: null })).toMatchObject({
			ok: false,
			code: 'INVITE_REPLACED'
		});
	});

	it('RC1: two links issued at once leave one live link, the newest; the other says it was replaced', async () => {
		const bob = await member(false);
		const issued = await Promise.all([
			issueRecovery(deps, admin, bob.id, { keepPasskeys: false }),
			issueRecovery(deps, admin, bob.id, { keepPasskeys: false })
		]);
		expect(issued.every((i) => i.ok)).toBe(true);
		const links = await server.db
			.selectFrom('invites')
			.select(['id', 'locked_at'])
			.where('user_id', '=', bob.id)
			.where('purpose', '=', 'recover')
			.execute();
		expect(links).toHaveLength(2);
		const live = links.filter((l) => l.locked_at === null);
		expect(live).toHaveLength(1);
		// The messages in the order written: the live link is the one written last.
		const [first, second] = sent.slice(-2).map((message) => linkIn(message.body));
		expect(await redeemLink(deps, { ...first!, ip: null })).toMatchObject({
			ok: false,
			code: 'INVITE_REPLACED'
		});
		expect(await redeemLink(deps, { ...second!, ip: null })).toMatchObject({
			ok: true,
			userId: bob.id,
			purpose: 'recover'
		});
	});

	it('RC1: a link locked by wrong codes still says so, with no newer link issued', async () => {
		const bob = await member(false);
		const { token, code } = await issue(bob.id);
		for (let i = 0; i < 5; i++) await redeemLink(deps, { token, code: wrongCode(code), ip: null });
		expect(await redeemLink(deps, { token, code, ip: null })).toMatchObject({
			ok: false,
			code: 'CODE_LOCKED'
		});
	});

	it('RC1: refused for oneself, another organisation, a deactivated member and one with no contact', async () => {
		const bob = await member(false);
		expect(await issueRecovery(deps, admin, admin.id, { keepPasskeys: false })).toMatchObject({
			ok: false,
			code: 'FORBIDDEN'
		});
		expect(await issueRecovery(deps, otherAdmin, bob.id, { keepPasskeys: false })).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
		await insertUsers(server.db, server.now().toISOString(), [{ id: 'dave' }]);
		expect(await issueRecovery(deps, admin, 'dave', { keepPasskeys: false })).toMatchObject({
			ok: false,
			code: 'CONTACT_MISSING'
		});
		await server.db
			.updateTable('users')
			.set({ deactivated_at: server.now().toISOString() })
			.where('id', '=', bob.id)
			.execute();
		expect(await issueRecovery(deps, admin, bob.id, { keepPasskeys: false })).toMatchObject({
			ok: false,
			code: 'ACCOUNT_DEACTIVATED'
		});
	});

	it('RC2: the link is never spent by the code alone, not even through the plain invite path', async () => {
		const bob = await member(true);
		const { token, code } = await issue(bob.id);
		expect(await redeemInvite(deps, { token, code, ip: null })).toMatchObject({
			ok: false,
			code: 'INVITE_INVALID'
		});
		expect(await inviteLinkInfo(deps, token)).toMatchObject({ idNumberRequired: true });
		// Without the number, or with one that is no valid number, nothing is counted.
		expect(await redeemLink(deps, { token, code, ip: null })).toMatchObject({
			code: 'ID_NUMBER_INVALID'
		});
		expect(await redeemLink(deps, { token, code, idNumber: '123', ip: null })).toMatchObject({
			code: 'ID_NUMBER_INVALID'
		});
		const row = await server.db
			.selectFrom('invites')
			.select(['attempts', 'redeemed_at'])
			.where('link_token_hash', 'is not', null)
			.where('purpose', '=', 'recover')
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ attempts: 0, redeemed_at: null });
	});

	it('RC3: a wrong code or a wrong ID number counts; five lock the link; the right pair after that is refused', async () => {
		const bob = await member(true);
		const { token, code } = await issue(bob.id);
		// A wrong code says nothing about the number.
		expect(
			await redeemLink(deps, { token, code: wrongCode(code), idNumber: ID, ip: null })
		).toMatchObject({ ok: false, code: 'CODE_INVALID', details: { attemptsLeft: 4 } });
		for (const left of [3, 2, 1]) {
			expect(await redeemLink(deps, { token, code, idNumber: OTHER_ID, ip: null })).toMatchObject({
				ok: false,
				code: 'ID_NUMBER_WRONG',
				details: { attemptsLeft: left }
			});
		}
		expect(await redeemLink(deps, { token, code, idNumber: OTHER_ID, ip: null })).toMatchObject({
			ok: false,
			code: 'CODE_LOCKED'
		});
		expect(await redeemLink(deps, { token, code, idNumber: ID, ip: null })).toMatchObject({
			ok: false,
			code: 'CODE_LOCKED'
		});
		const kinds = await auditKinds();
		expect(kinds.filter((k) => k === 'recovery.id_number_wrong')).toHaveLength(4);
		expect(kinds).toContain('invite.locked');
		// The number typed is never written anywhere.
		const audit = await server.db.selectFrom('audit_log').select('data').execute();
		expect(JSON.stringify(audit)).not.toContain(OTHER_ID);
	});

	it('RC4: by default the old passkeys are revoked, their sessions end and unspent tickets are voided; the account is the same', async () => {
		const bob = await member(true);
		const before = await bob.load();
		const { token, code } = await issue(bob.id);
		const done = await redeemLink(deps, {
			token,
			code,
			idNumber: ` ${ID.toLowerCase()} `,
			ip: '10.0.0.9'
		});
		expect(done).toEqual({ ok: true, userId: bob.id, purpose: 'recover' });

		const credentials = await server.db
			.selectFrom('credentials')
			.select('revoked_at')
			.where('user_id', '=', bob.id)
			.execute();
		expect(credentials.every((c) => c.revoked_at !== null)).toBe(true);
		expect(await sessionFor(server.db, bob.session.token, server.clock)).toBeNull();
		const tickets = await server.db
			.selectFrom('tickets')
			.select(['id', 'revoked_at'])
			.where('user_id', '=', bob.id)
			.execute();
		expect(tickets.find((t) => t.id === bob.pool[0]!.id)?.revoked_at).toBeNull();
		expect(tickets.filter((t) => t.revoked_at !== null)).toHaveLength(bob.pool.length - 1);

		// Same account: certification, name and role as they were.
		const after = await bob.load();
		expect(after).toMatchObject({
			id: before.id,
			role: before.role,
			display_name: before.display_name,
			id_number_hash: before.id_number_hash,
			cert_level: before.cert_level
		});
		const completed = await server.db
			.selectFrom('audit_log')
			.select(['actor', 'data'])
			.where('kind', '=', 'recovery.completed')
			.executeTakeFirstOrThrow();
		expect(completed.actor).toBe(bob.id);
		expect(JSON.parse(completed.data)).toEqual({
			userId: bob.id,
			passkeysRevoked: 1,
			sessionsEnded: 1,
			ticketsRevoked: bob.pool.length - 1,
			ip: '10.0.0.9'
		});
		// The lost phone's passkey no longer signs in.
		const passkeys = { db: server.db, clock: server.clock, origin: ORIGIN };
		const options = await authenticationOptions(passkeys);
		const login = await verifyAuthentication(
			passkeys,
			await bob.key.assert({
				challenge: Buffer.from(options.challenge, 'base64url'),
				origin: ORIGIN,
				rpId: RP_ID,
				userHandle: bob.id
			})
		);
		expect(login).toMatchObject({ ok: false, code: 'PASSKEY_UNKNOWN' });
		// Used once.
		expect(await redeemLink(deps, { token, code, idNumber: ID, ip: null })).toMatchObject({
			code: 'INVITE_INVALID'
		});
	});

	it('RC4: the administrator may keep the old passkeys; an uncertified account needs only the code', async () => {
		const bob = await member(false);
		const { token, code } = await issue(bob.id, true);
		expect(await redeemLink(deps, { token, code, ip: null })).toMatchObject({ ok: true });
		const active = await server.db
			.selectFrom('credentials')
			.select('id')
			.where('user_id', '=', bob.id)
			.where('revoked_at', 'is', null)
			.execute();
		expect(active).toHaveLength(1);
		expect((await sessionFor(server.db, bob.session.token, server.clock))?.user.id).toBe(bob.id);
		const completed = await server.db
			.selectFrom('audit_log')
			.select('data')
			.where('kind', '=', 'recovery.completed')
			.executeTakeFirstOrThrow();
		expect(JSON.parse(completed.data)).toMatchObject({ passkeysRevoked: 0, ticketsRevoked: 0 });
	});
});
