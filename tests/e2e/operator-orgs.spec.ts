import { test, expect } from './support/fixtures';
import { acceptInvitation, adminContext } from './support/flows';
import { residentIdCheckChar } from '../../src/lib/domain/validators';
import { DEMO_CONTRACT_TITLE, DEMO_ORG } from '../../src/lib/server/platform/seed';
import type { OperatorOrgsResponse } from '../../src/lib/domain/api-types';

// The platform operator (whoever used the first setup link) creates an organisation and invites
// its first administrator (SPEC OC11, OC12). The invitee, on their own device, redeems the link
// from the message and is the new organisation's administrator, seeing nothing of the demo
// organisation; the operator's pages stay the operator's.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

const idBody = '11010519491231002';
const residentId = idBody + residentIdCheckChar(idBody)!;
const NEW_ORG = '新星贸易有限公司';

test('OC11 OC12: the operator creates an organisation and invites its administrator, who redeems the link and administers only the new organisation', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const url = freshServer.url;
	const { context: operatorBrowser, page: operator } = await adminContext(browser, freshServer);

	await operator.goto('/admin/certification');
	await operator.getByRole('link', { name: 'Organisations', exact: true }).click();
	await expect(
		operator.getByRole('heading', { name: 'Organisations on this server' })
	).toBeVisible();
	const table = operator.getByTestId('organisations');
	await expect(table.getByRole('row', { name: new RegExp(DEMO_ORG.name) })).toContainText(
		'Certified (已认证)'
	);

	// A bad contact first, then a name in use: each refusal says why and keeps what was typed.
	const form = operator.getByTestId('org-create');
	await form.getByLabel('Organisation name (Chinese)').fill(NEW_ORG);
	await form.getByLabel('English name (optional)').fill('Nova Trading Co., Ltd.');
	await form.getByLabel(/First administrator/).fill('赵敏');
	await form.getByLabel(/mobile number or e-mail/).fill('not-a-contact');
	await form.getByRole('button', { name: 'Create and invite' }).click();
	await expect(form.getByRole('alert')).toHaveText(/e-mail|phone|mobile/i);
	const contact = form.getByLabel(/mobile number or e-mail/);
	await expect(contact).toBeFocused();
	await expect(contact).toHaveAttribute('aria-invalid', 'true');
	await expect(form.getByLabel('Organisation name (Chinese)')).toHaveValue(NEW_ORG);
	await expect(form.getByLabel(/First administrator/)).toHaveValue('赵敏');

	await contact.fill('zhaomin@example.cn');
	await form.getByLabel('Organisation name (Chinese)').fill(DEMO_ORG.name);
	await form.getByRole('button', { name: 'Create and invite' }).click();
	await expect(form.getByRole('alert')).toHaveText(
		'An organisation with this name already exists.'
	);
	await expect(form.getByLabel('Organisation name (Chinese)')).toBeFocused();
	await expect(contact).toHaveValue('zhaomin@example.cn');

	await form.getByLabel('Organisation name (Chinese)').fill(NEW_ORG);
	await form.getByRole('button', { name: 'Create and invite' }).click();
	await expect(operator.getByTestId('org-created')).toContainText(NEW_ORG);
	const newRow = table.getByRole('row', { name: new RegExp(NEW_ORG) });
	await expect(newRow.getByTestId('org-state')).toHaveText('Not certified (未认证)');
	await expect(newRow.getByTestId('org-members')).toHaveText('1');
	// The console outbox on the operator's page carries the invitation to pass on.
	await expect(
		operator.getByTestId('outbox-item').filter({ hasText: 'zhaomin@example.cn' })
	).toHaveCount(1);
	const listed = (await (
		await operator.request.get('/api/operator/organisations')
	).json()) as OperatorOrgsResponse;
	const invitation = listed.outbox.find((m) => m.recipient === 'zhaomin@example.cn')!;

	// 赵敏, on their own device with their own authenticator, accepts it.
	const invitee = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const zhao = await invitee.newPage();
	await acceptInvitation(zhao, invitation.body, { name: '赵敏', residentId });
	const { user } = (await (await zhao.request.get('/api/session')).json()) as {
		user: { role: string; name: string };
	};
	expect(user.role).toBe('admin');

	// Administrator of the new organisation only: none of the demo organisation's contracts or
	// members, and its certification still to do.
	await zhao.goto('/admin');
	await expect(zhao.getByTestId('admin-user')).toBeVisible();
	await expect(zhao.getByText('No contracts yet.')).toBeVisible();
	await expect(zhao.getByText(DEMO_CONTRACT_TITLE)).toHaveCount(0);
	const contracts = (await (await zhao.request.get('/api/admin/contracts')).json()) as {
		contracts: unknown[];
	};
	expect(contracts.contracts).toEqual([]);
	const members = await (await zhao.request.get('/api/admin/members')).text();
	expect(members).toContain('赵敏');
	expect(members).not.toContain('Administrator');
	await zhao.goto('/admin/certification');
	await expect(zhao.getByTestId('cert-state')).toHaveAttribute('data-state', 'uncertified');

	// The operator's pages are not theirs.
	expect((await zhao.request.get('/api/operator/organisations')).status()).toBe(403);
	const post = await zhao.request.post('/api/operator/organisations', {
		headers: { Origin: url },
		data: { name: '越权公司', adminName: '某人', adminContact: 'x@example.cn' }
	});
	expect(post.status()).toBe(403);
	await zhao.goto('/admin/organisations');
	await expect(zhao.getByTestId('operator-only')).toBeVisible();
	await expect(zhao.getByTestId('organisations')).toHaveCount(0);

	await invitee.close();
	await operatorBrowser.close();
});
