import type { APIRequestContext } from '@playwright/test';
import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import { acceptInvitation, adminContext, inviteByApi, outboxMessages } from './support/flows';
import { residentIdCheckChar } from '../../src/lib/domain/validators';

// Account recovery (SPEC RC1–RC6) as people live it: a certified member with a contract loses
// the phone that held their passkey; the admin issues a re-enrolment link from the members page;
// on a new phone the member enters the code from the message and their ID number, creates a new
// passkey and finds the same account and contract; the lost phone's passkey no longer signs in.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

async function sessionUser(request: APIRequestContext): Promise<{ id: string } | null> {
	return ((await (await request.get('/api/session')).json()) as { user: { id: string } | null })
		.user;
}

async function inboxTitles(request: APIRequestContext): Promise<string[]> {
	const { items } = (await (await request.get('/api/inbox')).json()) as {
		items: { title: string }[];
	};
	return items.map((i) => i.title).sort();
}

const idBody = '11010519491231002';
const residentId = idBody + residentIdCheckChar(idBody)!;
const otherBody = '11010519800101003';
const otherId = otherBody + residentIdCheckChar(otherBody)!;

test('RC1–RC4 RC6: a member who lost their passkey re-enrols on the same account with the code and their ID number; the old passkey no longer signs in', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const url = freshServer.url;
	const headers = { Origin: url };
	const { context: adminBrowser, page: admin } = await adminContext(browser, freshServer);

	// 李四 is invited, enrols a passkey on their phone and certifies with their ID number.
	const invitation = await inviteByApi(admin, url, { name: '李四', contact: 'lisi@example.cn' });
	const phone = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const lostPage = await phone.newPage();
	await acceptInvitation(lostPage, invitation.body, { name: '李四', residentId });
	const lisi = (await sessionUser(lostPage.request))!;

	// A contract is sent to 李四.
	const { contracts } = (await (await admin.request.get('/api/admin/contracts')).json()) as {
		contracts: { id: string }[];
	};
	const pdf = await admin.request.get(`/api/admin/contracts/${contracts[0]!.id}/document`);
	const title = 'Recovery agreement 恢复协议';
	const created = await admin.request.post('/api/admin/contracts', {
		headers,
		multipart: {
			file: { name: 'rc.pdf', mimeType: 'application/pdf', buffer: await pdf.body() },
			meta: JSON.stringify({
				title,
				signingOrder: 'parallel',
				deadline: null,
				parties: [
					{
						name: '乙方 李四',
						kind: 'person',
						signers: [{ name: '李四', contact: 'lisi@example.cn', userId: lisi.id, order: 1 }]
					}
				]
			})
		}
	});
	expect(created.status(), await created.text()).toBe(201);
	const { id } = (await created.json()) as { id: string };
	const fields = await admin.request.put(`/api/admin/contracts/${id}/fields`, {
		headers,
		data: {
			fields: [
				{
					id: 'field-a',
					kind: 'signature',
					signerId: 'signer-1',
					page: 1,
					rect: { x: 72, y: 150, width: 170, height: 57 },
					required: true
				}
			]
		}
	});
	expect(fields.status(), await fields.text()).toBe(200);
	const sent = await admin.request.post(`/api/admin/contracts/${id}/send`, { headers });
	expect(sent.status(), await sent.text()).toBe(200);
	const before = await inboxTitles(lostPage.request);
	expect(before).toContain(title);

	// The phone is lost. The admin issues a re-enrolment link from the members page, by keyboard.
	await admin.goto('/admin');
	await admin.getByRole('link', { name: 'Members' }).click();
	const row = admin.getByTestId('member-row').filter({ hasText: '李四' });
	await row.getByRole('button', { name: 'Re-enrolment link' }).click();
	const form = admin.getByTestId('recover-form');
	await expect(form.getByRole('heading', { name: 'Re-enrolment link for 李四' })).toBeFocused();
	await expect(form).toContainText('lisi@example.cn');
	await expect(form.getByRole('checkbox')).not.toBeChecked();
	await form.getByRole('button', { name: 'Send re-enrolment link' }).click();
	await expect(admin.getByTestId('members-note')).toContainText(
		'Re-enrolment link sent to lisi@example.cn'
	);
	const message = (await outboxMessages(admin)).find(
		(m) => m.recipient === 'lisi@example.cn' && m.body.includes('new passkey')
	)!;
	expect(message.subject).toContain('Set up a new SealPass passkey');
	const link = /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(message.body)![0];
	const code = /verification code (\d{6})/.exec(message.body)![1]!;

	// A new phone: a fresh browser with its own authenticator.
	const newPhone = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const page = await newPhone.newPage();
	const authenticator = await addVirtualAuthenticator(page);
	await page.goto(link);
	await expect(page.getByRole('heading', { name: 'Set up a new passkey' })).toBeVisible();
	await page.getByLabel('Verification code').fill(code);
	const idInput = page.getByLabel('Your ID number (as certified on this account)');
	// A wrong number counts as an attempt; the code stays typed.
	await idInput.fill(otherId);
	await idInput.press('Enter');
	await expect(page.getByTestId('invite-error')).toHaveText(
		'That ID number does not match. 4 attempts left.'
	);
	await expect(page.getByLabel('Verification code')).toHaveValue(code);
	await expect(idInput).toHaveValue('');
	await idInput.fill(residentId.toLowerCase());
	await page.getByRole('button', { name: 'Verify' }).click();
	await expect(page.getByRole('heading', { name: 'Create your passkey' })).toBeFocused();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect(page.getByRole('heading', { name: 'Your account is ready again' })).toBeFocused();
	const notice = page.getByTestId('second-passkey');
	await expect(notice).toContainText('Add a second passkey');
	await expect(notice.getByRole('link', { name: 'Manage your passkeys' })).toHaveAttribute(
		'href',
		'/account/passkeys'
	);
	expect(await authenticator.credentials()).toHaveLength(1);
	await page.getByRole('button', { name: 'Go to my inbox' }).click();
	await expect(page).toHaveURL(/\/inbox$/);
	await expect(page.getByTestId('envelope-card').filter({ hasText: title })).toBeVisible();

	// Same account, same inbox.
	expect((await sessionUser(page.request))?.id).toBe(lisi.id);
	expect(await inboxTitles(page.request)).toEqual(before);

	// The lost phone was signed out, and its passkey no longer signs in.
	expect(await sessionUser(lostPage.request)).toBeNull();
	// Chromium's virtual authenticator answers an autofill request by itself; the button path is
	// the one tested here, so the browsers offer no autofill.
	for (const tab of [lostPage, page]) {
		await tab.addInitScript(() => {
			PublicKeyCredential.isConditionalMediationAvailable = async () => false;
		});
	}
	await lostPage.goto('/login');
	await lostPage.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(lostPage.getByTestId('login-error')).toBeVisible();
	expect(await sessionUser(lostPage.request)).toBeNull();

	// The new passkey signs in on the new phone.
	await newPhone.clearCookies();
	await page.goto('/login');
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page).toHaveURL(/\/inbox$/);
	expect((await sessionUser(page.request))?.id).toBe(lisi.id);

	// The audit trail has the recovery as its own events.
	const trail = (await (await admin.request.get('/api/admin/audit?limit=100')).json()) as {
		entries: { kind: string }[];
	};
	expect(trail.entries.map((e) => e.kind)).toEqual(
		expect.arrayContaining(['recovery.issued', 'recovery.id_number_wrong', 'recovery.completed'])
	);

	await Promise.all([adminBrowser.close(), phone.close(), newPhone.close()]);
});

test('RC4 RC5: with "keep their current passkeys" the new passkey is added beside the old one, which still signs in', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(240_000);
	const url = freshServer.url;
	const { context: adminBrowser, page: admin } = await adminContext(browser, freshServer);
	const invitation = await inviteByApi(admin, url, { name: '王五', contact: 'wangwu@example.cn' });
	const laptop = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const oldPage = await laptop.newPage();
	await acceptInvitation(oldPage, invitation.body, { name: '王五', residentId: otherId });
	const wangwu = (await sessionUser(oldPage.request))!;

	await admin.goto('/admin');
	await admin.getByRole('link', { name: 'Members' }).click();
	await admin
		.getByTestId('member-row')
		.filter({ hasText: '王五' })
		.getByRole('button', { name: 'Re-enrolment link' })
		.click();
	const form = admin.getByTestId('recover-form');
	// Escape closes the form and gives focus back to the button that opened it.
	await admin.keyboard.press('Escape');
	await expect(form).toHaveCount(0);
	await expect(admin.getByRole('button', { name: 'Re-enrolment link' })).toBeFocused();
	await admin.keyboard.press('Enter');
	await form.getByRole('checkbox', { name: /Keep their current passkeys/ }).check();
	await form.getByRole('button', { name: 'Send re-enrolment link' }).press('Enter');
	await expect(admin.getByTestId('members-note')).toContainText('wangwu@example.cn');
	const message = (await outboxMessages(admin)).find(
		(m) => m.recipient === 'wangwu@example.cn' && m.body.includes('new passkey')
	)!;
	const oldLink = /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(message.body)![0];
	const oldCode = /verification code (\d{6})/.exec(message.body)![1]!;

	// The admin sends another link before this one is used: the first now says it was replaced.
	const again = await admin.request.post(`/api/admin/members/${wangwu.id}/recovery`, {
		headers: { Origin: url },
		data: { keepPasskeys: true }
	});
	expect(again.status(), await again.text()).toBe(200);
	const newer = (await outboxMessages(admin)).find(
		(m) => m.recipient === 'wangwu@example.cn' && m.body.includes('new passkey')
	)!;
	const link = /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(newer.body)![0];
	const code = /verification code (\d{6})/.exec(newer.body)![1]!;
	expect(link).not.toBe(oldLink);

	const phone = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const page = await phone.newPage();
	await addVirtualAuthenticator(page);
	await page.goto(oldLink);
	await page.getByLabel('Verification code').fill(oldCode);
	await page.getByLabel('Your ID number (as certified on this account)').fill(otherId);
	await page.getByRole('button', { name: 'Verify' }).click();
	await expect(page.getByTestId('invite-error')).toHaveText(
		'This link was replaced by a newer one. Open the link in the most recent message you received.'
	);

	await page.goto(link);
	await page.getByLabel('Verification code').fill(code);
	await page.getByLabel('Your ID number (as certified on this account)').fill(otherId);
	await page.getByRole('button', { name: 'Verify' }).click();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect(page.getByRole('heading', { name: 'Your account is ready again' })).toBeFocused();
	expect((await sessionUser(page.request))?.id).toBe(wangwu.id);

	// The old laptop was not lost: its session and passkey still work.
	expect((await sessionUser(oldPage.request))?.id).toBe(wangwu.id);
	const { passkeys } = (await (await page.request.get('/api/passkeys')).json()) as {
		passkeys: unknown[];
	};
	expect(passkeys).toHaveLength(2);
	await Promise.all([adminBrowser.close(), laptop.close(), phone.close()]);
});
