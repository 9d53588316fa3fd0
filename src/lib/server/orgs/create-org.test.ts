import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	insertOrgs,
	insertUsers,
	openTestServer,
	type TestServer
} from '../../../../tests/support/test-server';
import type { User } from '../db/schema';
import { inviteWorld, makeOperator } from '../../../../tests/support/invite-world';
import { requireOperator } from '../platform/guards';
import { createInvite, listInvites, redeemInvite, type InviteDeps } from '../auth';
import { verifyAuditLog } from '../audit';
// Through the feature's index, as the endpoints call it.
import { createOrganisation, listOrganisations, operatorOutbox } from '.';

// A real database (SQLite, or PostgreSQL with TEST_DATABASE_URL); names cite SPEC OC rules.

let server: TestServer;
let deps: InviteDeps;
let operator: User;
let otherAdmin: User;

const NEW = {
	name: '  新星  贸易有限公司 ',
	nameEn: 'Nova Trading Co., Ltd.',
	adminName: '赵敏',
	adminContact: 'zhaomin@example.cn'
};

beforeEach(async () => {
	server = await openTestServer('create-org');
	const at = server.now().toISOString();
	await insertOrgs(server.db, at, [
		{ id: 'org-platform', name: '平台运营', nameEn: 'Platform' },
		{ id: 'org-b', name: '乙公司', nameEn: 'B Ltd', certState: 'pending' }
	]);
	[operator, otherAdmin] = (await insertUsers(server.db, at, [
		{ id: 'operator', org: 'org-platform', role: 'admin' },
		{ id: 'b-admin', org: 'org-b', role: 'admin' },
		{ id: 'b-signer', org: 'org-b' }
	])) as [User, User];
	await makeOperator(server.db, 'operator', at);
	({ deps } = inviteWorld(server.db, server.clock));
});

afterEach(async () => {
	await server.close();
});

/** Row counts of everything creating an organisation writes. */
async function counts() {
	const n = async (table: 'organisations' | 'users' | 'invites' | 'notifications' | 'audit_log') =>
		Number(
			(
				await server.db
					.selectFrom(table)
					.select((eb) => eb.fn.countAll<number>().as('n'))
					.executeTakeFirstOrThrow()
			).n
		);
	return {
		organisations: await n('organisations'),
		users: await n('users'),
		invites: await n('invites'),
		notifications: await n('notifications'),
		audit: await n('audit_log')
	};
}

describe('the operator creates an organisation', () => {
	it('OC11: the organisation, its administrator’s invite, the message and the audit entries, under the new organisation', async () => {
		const created = await createOrganisation(deps, operator, NEW);
		if (!created.ok) throw new Error(created.message);
		const org = await server.db
			.selectFrom('organisations')
			.selectAll()
			.where('id', '=', created.orgId)
			.executeTakeFirstOrThrow();
		expect(org).toMatchObject({
			name: '新星 贸易有限公司',
			name_en: 'Nova Trading Co., Ltd.',
			cert_state: 'uncertified'
		});
		const invite = await server.db
			.selectFrom('invites')
			.innerJoin('users', 'users.id', 'invites.user_id')
			.select(['invites.org_id', 'invites.created_by', 'invites.purpose', 'users.role'])
			.select(['users.org_id as user_org', 'users.display_name'])
			.where('invites.id', '=', created.inviteId)
			.executeTakeFirstOrThrow();
		expect(invite).toEqual({
			org_id: created.orgId,
			created_by: 'operator',
			purpose: 'enrol',
			role: 'admin',
			user_org: created.orgId,
			display_name: '赵敏'
		});
		const [message] = await operatorOutbox(server.db, operator);
		expect(message).toMatchObject({ recipient: 'zhaomin@example.cn' });
		// The new organisation's own records hold it; the operator's organisation's do not.
		const audit = await server.db
			.selectFrom('audit_log')
			.select(['kind', 'org_id', 'actor'])
			.orderBy('seq')
			.execute();
		expect(audit).toEqual([
			{ kind: 'org.created', org_id: created.orgId, actor: 'operator' },
			{ kind: 'invite.created', org_id: created.orgId, actor: 'operator' }
		]);
		expect((await verifyAuditLog(server.db)).ok).toBe(true);
		expect(await listInvites(deps, 'org-platform')).toEqual([]);
		expect((await listInvites(deps, created.orgId)).map((i) => i.name)).toEqual(['赵敏']);

		// The invitee redeems it like any invitation and is the new organisation's administrator.
		const token = /\/invite\/([\w-]+)/.exec(message!.body)![1]!;
		const code = /\b(\d{6})\b/.exec(message!.body)![1]!;
		const redeemed = await redeemInvite(deps, { token, code, ip: null });
		if (!redeemed.ok) throw new Error(redeemed.code);
		const admin = await server.db
			.selectFrom('users')
			.selectAll()
			.where('id', '=', redeemed.userId)
			.executeTakeFirstOrThrow();
		expect(admin).toMatchObject({ org_id: created.orgId, role: 'admin' });
		// An administrator, but not the operator: the operator's pages refuse them.
		await expect(requireOperator(admin, server.db)).rejects.toMatchObject({ status: 403 });
	});

	it('OC11: the English name is optional; the Chinese one then stands for both', async () => {
		const created = await createOrganisation(deps, operator, {
			...NEW,
			nameEn: null,
			adminContact: '138 0013 8000'
		});
		if (!created.ok) throw new Error(created.message);
		const orgs = await listOrganisations(server.db);
		expect(orgs.find((o) => o.id === created.orgId)).toMatchObject({
			name: '新星 贸易有限公司',
			nameEn: '新星 贸易有限公司'
		});
		const invite = await server.db
			.selectFrom('invites')
			.select('contact')
			.where('id', '=', created.inviteId)
			.executeTakeFirstOrThrow();
		expect(invite.contact).toBe('13800138000');
	});

	it('OC11: a name in use, a bad contact, a bad name: refused, naming the field, with nothing written', async () => {
		const before = await counts();
		const refusals = [
			[{ ...NEW, name: '乙公司' }, 'ORG_NAME_TAKEN', 'name'],
			[{ ...NEW, nameEn: 'b ltd' }, 'ORG_NAME_TAKEN', 'nameEn'],
			[{ ...NEW, name: '   ' }, 'ORG_NAME_INVALID', 'name'],
			[{ ...NEW, name: '名'.repeat(101) }, 'ORG_NAME_INVALID', 'name'],
			[{ ...NEW, nameEn: 'N'.repeat(201) }, 'ORG_NAME_INVALID', 'nameEn'],
			[{ ...NEW, adminName: ' ' }, 'REAL_NAME_INVALID', 'adminName'],
			[{ ...NEW, adminContact: '12-34' }, 'CONTACT_INVALID', 'adminContact'],
			[{ ...NEW, adminContact: 'zhaomin@example' }, 'CONTACT_INVALID', 'adminContact']
		] as const;
		for (const [input, code, field] of refusals) {
			expect(await createOrganisation(deps, operator, input), `${code} ${field}`).toMatchObject({
				ok: false,
				code,
				details: { field }
			});
		}
		expect(await counts()).toEqual(before);
		// Created once, the same name is then taken.
		expect((await createOrganisation(deps, operator, NEW)).ok).toBe(true);
		expect(
			await createOrganisation(deps, operator, { ...NEW, adminContact: 'x@example.cn' })
		).toMatchObject({ ok: false, code: 'ORG_NAME_TAKEN', details: { field: 'name' } });
	});

	it('OC11: two creations of one name at once make one organisation', async () => {
		const both = await Promise.all([
			createOrganisation(deps, operator, NEW),
			createOrganisation(deps, operator, { ...NEW, adminContact: 'other@example.cn' })
		]);
		expect(both.filter((r) => r.ok)).toHaveLength(1);
		expect(both.find((r) => !r.ok)).toMatchObject({ code: 'ORG_NAME_TAKEN' });
		const named = await server.db
			.selectFrom('organisations')
			.select('id')
			.where('name', '=', '新星 贸易有限公司')
			.execute();
		expect(named).toHaveLength(1);
	});
});

describe('the operator’s view', () => {
	it('OC11: every organisation with its certification state, members not deactivated, newest first', async () => {
		await server.db
			.updateTable('users')
			.set({ deactivated_at: server.now().toISOString() })
			.where('id', '=', 'b-signer')
			.execute();
		server.setNow(new Date(server.now().getTime() + 60_000));
		const created = await createOrganisation(deps, operator, NEW);
		if (!created.ok) throw new Error(created.message);
		const orgs = await listOrganisations(server.db);
		expect(orgs.map((o) => [o.name, o.certState, o.members])).toEqual([
			['新星 贸易有限公司', 'uncertified', 1],
			// Created at the same instant: by id, org-b before org-platform.
			['乙公司', 'pending', 1],
			['平台运营', 'certified', 1]
		]);
	});

	it('OC12: the operator’s outbox holds only messages to people they invited into other organisations', async () => {
		const created = await createOrganisation(deps, operator, NEW);
		if (!created.ok) throw new Error(created.message);
		// Another organisation's own invitation, and one inside the operator's organisation.
		await createInvite(deps, otherAdmin, { name: '钱六', contact: 'qianliu@example.cn' });
		await createInvite(deps, operator, { name: '孙七', contact: 'sunqi@example.cn' });
		expect((await operatorOutbox(server.db, operator)).map((m) => m.recipient)).toEqual([
			'zhaomin@example.cn'
		]);
		expect(await operatorOutbox(server.db, otherAdmin)).toEqual([]);
	});

	it('OC12: only the operator passes the operator guard; other administrators and signers are refused', async () => {
		await expect(requireOperator(operator, server.db)).resolves.toMatchObject({ id: 'operator' });
		await expect(requireOperator(otherAdmin, server.db)).rejects.toMatchObject({ status: 403 });
		const signer = await server.db
			.selectFrom('users')
			.selectAll()
			.where('id', '=', 'b-signer')
			.executeTakeFirstOrThrow();
		await expect(requireOperator(signer, server.db)).rejects.toMatchObject({ status: 403 });
	});
});
