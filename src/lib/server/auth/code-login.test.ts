import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { INVITE_CODE_TTL_MS } from '$lib/domain/invite';
import { CODE_LOGIN_RESEND_COOLDOWN_MS } from '$lib/domain/code-login';
import { createInvite, normaliseContact, type InviteDeps } from './invites';
import { redeemInvite } from './invite-redeem';
import { requestLoginCode } from './code-login';
import { verifyLoginCode } from './code-login-verify';
import { openSeededDatabase, type SeededDatabase } from '../../../../tests/support/test-server';
import { codeIn, inviteWorld, wrongCode as wrong } from '../../../../tests/support/invite-world';

// Signing in with a code sent to the registered contact (SPEC CL1–CL7), on SQLite and, with
// TEST_DATABASE_URL, on PostgreSQL.

let open: OpenDatabase;
let now: Date;
const clock = () => now;
let admin: User;
let deps: InviteDeps;
const ip = '10.0.0.9';

let world: SeededDatabase;

beforeEach(async () => {
	now = new Date('2026-03-01T08:00:00Z');
	world = await openSeededDatabase('codelogin', clock);
	({ open, admin } = world);
	({ deps } = inviteWorld(open.db, clock));
});
afterEach(async () => {
	await world.close();
});

/** A signer invited at `contact` who accepted the invitation (enrolled). */
async function member(contact = 'lisi@example.cn', name = '李四'): Promise<string> {
	const invited = await createInvite(deps, admin, { name, contact });
	if (!invited.ok) throw new Error(invited.code);
	const body = (await messagesTo(contact)).at(-1)!.body;
	const code = codeIn(body);
	const redeemed = await redeemInvite(deps, {
		token: invited.link.split('/invite/')[1]!,
		code,
		ip
	});
	if (!redeemed.ok) throw new Error(redeemed.code);
	return redeemed.userId;
}

async function messagesTo(contact: string) {
	return open.db
		.selectFrom('notifications')
		.selectAll()
		.where('recipient', '=', contact)
		.orderBy('created_at')
		.execute();
}

/** Asks for a code and reads it from the newest queued message to the contact. */
async function codeFor(contact: string): Promise<string> {
	const asked = await requestLoginCode(deps, { contact, ip });
	expect(asked).toEqual({ ok: true, resendAfterSeconds: CODE_LOGIN_RESEND_COOLDOWN_MS / 1000 });
	const message = (await messagesTo(normaliseContact(contact)!)).at(-1)!;
	return codeIn(message.body);
}

const verify = (contact: string, code: string) => verifyLoginCode(deps, { contact, code, ip });

describe('code sign-in', () => {
	it('CL1 CL4: the code goes to the registered contact as the fixed SMS template, kept only as an HMAC, and signs the member in once', async () => {
		const userId = await member('+8613800000001');
		const code = await codeFor('+86 138-0000-0001');
		const [, message] = await messagesTo('+8613800000001');
		expect(message!.subject).toBe('您的 SealPass 登录验证码 / Your SealPass sign-in code');
		expect(message!.body).toContain(code);
		const row = await open.db.selectFrom('login_codes').selectAll().executeTakeFirstOrThrow();
		expect(row.user_id).toBe(userId);
		expect(row.code_hash).not.toContain(code);
		expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);

		const signedIn = await verify('+8613800000001', code);
		expect(signedIn.ok && signedIn.user.id).toBe(userId);
		// Spent: the same code does not sign in twice.
		expect(await verify('+8613800000001', code)).toMatchObject({ code: 'CODE_EXPIRED' });
		const audit = await open.db
			.selectFrom('audit_log')
			.select(['kind', 'subject'])
			.where('kind', 'like', 'login.code%')
			.orderBy('seq')
			.execute();
		expect(audit).toEqual([
			{ kind: 'login.code_sent', subject: userId },
			{ kind: 'login.code', subject: userId },
			{ kind: 'login.code_refused', subject: userId }
		]);
	});

	it('CL1: the SMS form is the approved code template with the code and minutes, no link', async () => {
		const { codeLoginMessage } = await import('./code-login');
		expect(codeLoginMessage('012345').sms).toEqual({
			template: 'code',
			params: { code: '012345', minutes: '10' }
		});
	});

	it('CL2: a contact that is no member’s gets the same answer, nothing is sent, and no code opens it', async () => {
		await member('lisi@example.cn');
		const before = (await open.db.selectFrom('notifications').select('id').execute()).length;
		const answer = await requestLoginCode(deps, { contact: 'nobody@example.cn', ip });
		const known = await requestLoginCode(deps, { contact: 'lisi@example.cn', ip });
		expect(answer).toEqual(known);
		expect(await open.db.selectFrom('notifications').select('id').execute()).toHaveLength(
			before + 1
		);
		// Wrong like any wrong code, the cooldown alike, and the fifth locks it.
		const first = await verify('nobody@example.cn', '123456');
		expect(first).toMatchObject({ code: 'CODE_INVALID', details: { attemptsLeft: 4 } });
		expect(await requestLoginCode(deps, { contact: 'nobody@example.cn', ip })).toMatchObject({
			code: 'RATE_LIMITED'
		});
		for (let i = 0; i < 3; i++) await verify('nobody@example.cn', '123456');
		expect(await verify('nobody@example.cn', '123456')).toMatchObject({ code: 'CODE_LOCKED' });
	});

	it('CL1: an address the member was invited at before, and an administrator, get no code', async () => {
		const userId = await member('old@example.cn');
		// Re-invited (e.g. re-enrolled) at a new address: the old one is no longer theirs.
		await open.db
			.insertInto('invites')
			.values({
				id: 'inv-new',
				org_id: admin.org_id,
				user_id: userId,
				link_token_hash: 'x',
				code_hash: 'y',
				contact: 'new@example.cn',
				channel: 'console',
				created_by: admin.id,
				created_at: new Date(now.getTime() + 1000).toISOString(),
				expires_at: now.toISOString(),
				locked_at: null,
				redeemed_at: null
			})
			.execute();
		const sent = (await open.db.selectFrom('notifications').select('id').execute()).length;
		expect((await requestLoginCode(deps, { contact: 'old@example.cn', ip })).ok).toBe(true);
		expect(await open.db.selectFrom('notifications').select('id').execute()).toHaveLength(sent);
		expect((await requestLoginCode(deps, { contact: 'new@example.cn', ip })).ok).toBe(true);
		expect(await open.db.selectFrom('notifications').select('id').execute()).toHaveLength(sent + 1);
		// An administrator invited (and enrolled) at a contact: no code sign-in for them.
		const boss = await member('boss@example.cn', '王五');
		await open.db.updateTable('users').set({ role: 'admin' }).where('id', '=', boss).execute();
		const before = (await messagesTo('boss@example.cn')).length;
		expect((await requestLoginCode(deps, { contact: 'boss@example.cn', ip })).ok).toBe(true);
		expect(await messagesTo('boss@example.cn')).toHaveLength(before);
	});

	it('CL4: a code expires after its ten minutes', async () => {
		await member();
		const code = await codeFor('lisi@example.cn');
		now = new Date(now.getTime() + INVITE_CODE_TTL_MS);
		expect(await verify('lisi@example.cn', code)).toMatchObject({ code: 'CODE_EXPIRED' });
	});

	it('CL4: five wrong codes lock it, and the right one after that is refused', async () => {
		await member();
		const code = await codeFor('lisi@example.cn');
		for (let left = 4; left >= 1; left--) {
			expect(await verify('lisi@example.cn', wrong(code))).toMatchObject({
				code: 'CODE_INVALID',
				details: { attemptsLeft: left }
			});
		}
		expect(await verify('lisi@example.cn', wrong(code))).toMatchObject({ code: 'CODE_LOCKED' });
		expect(await verify('lisi@example.cn', code)).toMatchObject({ code: 'CODE_LOCKED' });
		const events = await open.db
			.selectFrom('auth_events')
			.select('kind')
			.where('kind', 'like', 'login_code.%')
			.execute();
		expect(events.filter((e) => e.kind === 'login_code.wrong')).toHaveLength(4);
		expect(events.filter((e) => e.kind === 'login_code.locked')).toHaveLength(1);
	});

	it('CL4: concurrent guesses compare at most five codes', async () => {
		await member();
		const code = await codeFor('lisi@example.cn');
		const answers = await Promise.all(
			Array.from({ length: 8 }, () => verify('lisi@example.cn', wrong(code)))
		);
		const row = await open.db.selectFrom('login_codes').selectAll().executeTakeFirstOrThrow();
		expect(row.attempts).toBe(5);
		expect(row.locked_at).not.toBeNull();
		expect(answers.every((a) => !a.ok)).toBe(true);
	});

	it('CL3: a new code waits for the cooldown, and replaces the older one', async () => {
		await member();
		const first = await codeFor('lisi@example.cn');
		expect(await requestLoginCode(deps, { contact: 'lisi@example.cn', ip })).toMatchObject({
			code: 'RATE_LIMITED',
			details: { retryAfterSeconds: 60 }
		});
		now = new Date(now.getTime() + CODE_LOGIN_RESEND_COOLDOWN_MS);
		const second = await codeFor('lisi@example.cn');
		if (first !== second) {
			expect(await verify('lisi@example.cn', first)).toMatchObject({ code: 'CODE_INVALID' });
		}
		expect((await verify('lisi@example.cn', second)).ok).toBe(true);
		// The older row was locked when the newer one was written.
		const rows = await open.db.selectFrom('login_codes').select('locked_at').execute();
		expect(rows.filter((r) => r.locked_at !== null)).toHaveLength(1);
	});

	it('CL3: at most five codes an hour reach one contact, whatever the cooldown', async () => {
		await member();
		for (let i = 0; i < 5; i++) {
			expect((await requestLoginCode(deps, { contact: 'lisi@example.cn', ip })).ok).toBe(true);
			now = new Date(now.getTime() + CODE_LOGIN_RESEND_COOLDOWN_MS);
		}
		expect(await requestLoginCode(deps, { contact: 'lisi@example.cn', ip })).toMatchObject({
			code: 'RATE_LIMITED'
		});
	});

	it('CL5: a deactivated member’s right code opens no session', async () => {
		const userId = await member();
		const code = await codeFor('lisi@example.cn');
		await open.db
			.updateTable('users')
			.set({ deactivated_at: now.toISOString() })
			.where('id', '=', userId)
			.execute();
		expect(await verify('lisi@example.cn', code)).toMatchObject({
			code: 'ACCOUNT_DEACTIVATED'
		});
		// And the code is spent: reactivation needs a new one.
		await open.db
			.updateTable('users')
			.set({ deactivated_at: null })
			.where('id', '=', userId)
			.execute();
		expect(await verify('lisi@example.cn', code)).toMatchObject({ code: 'CODE_EXPIRED' });
	});

	it('refuses what is not a contact before counting anything', async () => {
		expect(await requestLoginCode(deps, { contact: 'not a contact', ip })).toMatchObject({
			code: 'CONTACT_INVALID'
		});
		expect(await open.db.selectFrom('login_codes').select('id').execute()).toHaveLength(0);
	});
});
