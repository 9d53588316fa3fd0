import type { Browser, Page } from '@playwright/test';
import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import { adminContext } from './support/flows';
import type { RunningServer } from '../../scripts/server-process.mjs';

test.use({ locale: 'en-US' });

/** Invites a member, who redeems the code and enrols a passkey in a browser of their own. */
async function enrolMember(admin: Page, browser: Browser, server: RunningServer, name: string) {
	await admin.goto('/admin');
	await admin.getByRole('link', { name: 'Invitations' }).click();
	await admin.getByLabel('Name', { exact: true }).fill(name);
	await admin.getByLabel('E-mail or mobile number').fill('member@example.cn');
	await admin.getByRole('button', { name: 'Send invitation' }).click();
	const link = (await admin.getByTestId('invite-link').textContent())!.trim();
	const message = admin.getByTestId('outbox-item').filter({ hasText: link }).first();
	const code = /verification code (\d{6})/.exec((await message.textContent())!)![1]!;

	const context = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
	const page = await context.newPage();
	await addVirtualAuthenticator(page);
	await page.goto(link);
	await page.getByLabel('Verification code').fill(code);
	await page.getByRole('button', { name: 'Verify' }).click();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect
		.poll(async () => (await (await page.request.get('/api/session')).json()).user?.name)
		.toBe(name);
	return page;
}

test('MB1 MB4 MB5: an admin makes a member seal keeper, then deactivates and reactivates them', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(180_000);
	const { page: admin } = await adminContext(browser, freshServer);
	const member = await enrolMember(admin, browser, freshServer, '赵六');

	await admin.goto('/admin');
	await admin.getByRole('link', { name: 'Members' }).click();
	await expect(admin.getByRole('heading', { name: 'Members and roles', level: 1 })).toBeVisible();
	const row = admin.getByTestId('member-row').filter({ hasText: '赵六' });
	// The admin's own row has no controls: one click must not lock them out.
	const own = admin.getByTestId('member-row').filter({ hasText: '(you)' });
	await expect(own.getByRole('combobox')).toHaveCount(0);
	await expect(own.getByRole('button')).toHaveCount(0);

	await row.getByLabel('Role of 赵六').selectOption({ label: 'Seal keeper' });
	await expect(admin.getByTestId('members-note')).toHaveText('赵六 is now: Seal keeper.');

	// The seal keeper's navigation now leads to the seal pages, which open for them.
	await member.goto('/inbox');
	const nav = member.getByRole('navigation');
	await nav.getByRole('link', { name: 'Seal admin' }).click();
	await expect(member.getByRole('heading', { name: 'Seals', level: 1 })).toBeVisible();
	await expect(nav.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);

	admin.once('dialog', (dialog) => void dialog.accept());
	await row.getByRole('button', { name: 'Deactivate' }).click();
	await expect(admin.getByTestId('members-note')).toContainText(
		'赵六 is deactivated: 1 session(s) ended'
	);
	await expect(row).toContainText('Deactivated');
	await expect(row.getByRole('button', { name: 'Reactivate' })).toBeVisible();

	// The member's next request finds the session ended; signing in again is refused with why.
	expect((await (await member.request.get('/api/session')).json()).user).toBeNull();
	await member.addInitScript(() => {
		PublicKeyCredential.isConditionalMediationAvailable = async () => false;
	});
	await member.goto('/login');
	await member.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(member.getByRole('alert')).toContainText(
		"Your organisation's administrator has deactivated this account"
	);

	await row.getByRole('button', { name: 'Reactivate' }).click();
	await expect(admin.getByTestId('members-note')).toHaveText('赵六 can sign in again.');
	await member.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(member).not.toHaveURL(/\/login/);
	expect((await (await member.request.get('/api/session')).json()).user).toMatchObject({
		name: '赵六',
		sealKeeper: true
	});
	await member.context().close();
	await admin.context().close();
});
