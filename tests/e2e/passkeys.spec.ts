import type { Browser, Page } from '@playwright/test';
import {
	test,
	expect,
	addVirtualAuthenticator,
	type VirtualAuthenticator
} from './support/fixtures';
import type { RunningServer } from '../../scripts/server-process.mjs';

test.use({ locale: 'en-US' });

/**
 * A browser (own context, own virtual platform authenticator) that redeems the printed setup
 * link and enrols the admin's passkey, as the first admin does on first start.
 */
async function enrolAdmin(
	browser: Browser,
	server: RunningServer
): Promise<{ page: Page; authenticator: VirtualAuthenticator }> {
	const context = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
	const page = await context.newPage();
	const authenticator = await addVirtualAuthenticator(page);
	await page.goto(server.setupLink!);
	await page.getByRole('button', { name: 'Continue as admin' }).click();
	await expect(page.getByRole('heading', { name: 'Create your passkey' })).toBeFocused();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect(page).toHaveURL(/\/admin$/);
	await expect(page.getByTestId('admin-user')).toContainText('Administrator');
	return { page, authenticator };
}

async function signOut(page: Page) {
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/$/);
}

test('the setup link leads to passkey enrolment, and the passkey signs the admin in with user verification', async ({
	freshServer,
	browser
}) => {
	const { page, authenticator } = await enrolAdmin(browser, freshServer);
	// Chromium's virtual authenticator answers a conditional (autofill) request by itself, which
	// would sign in before the button is pressed. Here the browser offers no autofill, so the
	// button path is the one tested; the autofill path has its own test below.
	await page.addInitScript(() => {
		PublicKeyCredential.isConditionalMediationAvailable = async () => false;
	});
	const [enrolled] = await authenticator.credentials();
	expect(enrolled).toBeDefined();
	expect(await authenticator.credentials()).toHaveLength(1);
	const countAtEnrolment = enrolled!.signCount;

	// Signed out, the admin page points to /login; the button signs in with the passkey.
	await signOut(page);
	await page.goto('/admin');
	await expect(page.getByTestId('admin-signed-out')).toBeVisible();
	await page.getByRole('link', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/login$/);
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page).toHaveURL(/\/admin$/);
	await expect(page.getByTestId('admin-user')).toContainText('Administrator');
	const [used] = await authenticator.credentials();
	expect(used!.credentialId).toBe(enrolled!.credentialId);
	expect(used!.signCount).toBeGreaterThan(countAtEnrolment);

	// The person is not verified on the device: with verification required the authenticator
	// refuses in the browser, and the page says why.
	await signOut(page);
	await page.goto('/login');
	await authenticator.setUserVerified(false);
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page.getByTestId('login-error')).toHaveText(
		/fingerprint, face or screen lock was not verified/
	);
	await authenticator.setUserVerified(true);

	// An assertion that arrives without the user-verified flag is refused by the server.
	await authenticator.cdp.send('WebAuthn.setResponseOverrideBits', {
		authenticatorId: authenticator.authenticatorId,
		isBadUV: true
	});
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page.getByTestId('login-error')).toHaveText(
		'Your identity was not verified on the device. Confirm with your fingerprint, face or screen lock; a touch alone is not enough.'
	);
	await authenticator.cdp.send('WebAuthn.setResponseOverrideBits', {
		authenticatorId: authenticator.authenticatorId,
		isBadUV: false,
		isBogusSignature: true
	});
	// A forged signature: the library answers verified: false, and the server refuses.
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page.getByTestId('login-error')).toHaveText(
		'The passkey could not be verified. Please try again.'
	);
	await authenticator.cdp.send('WebAuthn.setResponseOverrideBits', {
		authenticatorId: authenticator.authenticatorId,
		isBogusSignature: false
	});
	await page.goto('/admin');
	await expect(page.getByTestId('admin-signed-out')).toBeVisible();
	await page.context().close();
});

test('passkeys are listed and renamed, the last one cannot be revoked, and a device without it cannot sign in', async ({
	freshServer,
	browser
}) => {
	const { page } = await enrolAdmin(browser, freshServer);
	await page.getByRole('link', { name: 'Passkeys' }).click();
	await expect(page).toHaveURL(/\/account\/passkeys$/);
	const list = page.getByTestId('passkeys');
	await expect(list.getByRole('listitem')).toHaveCount(1);
	await expect(list).toContainText('Chrome');
	await expect(list).toContainText('Not used to sign in yet');
	await expect(list).toContainText('On this device only');

	// Rename, from the keyboard: Enter submits.
	await list.getByRole('button', { name: /^Rename/ }).click();
	const nameInput = page.getByLabel('Passkey name');
	await expect(nameInput).toBeFocused();
	await nameInput.fill('  Office laptop ');
	await nameInput.press('Enter');
	await expect(page.getByTestId('passkeys-notice')).toHaveText('Name saved.');
	await expect(list.getByRole('heading', { name: 'Office laptop' })).toBeVisible();
	await page.reload();
	await expect(page.getByTestId('passkeys').getByRole('heading')).toHaveText('Office laptop');

	// This device already holds the passkey: adding another here is refused by the browser.
	await page.getByRole('button', { name: 'Add a passkey on this device' }).click();
	await expect(page.getByTestId('passkeys-error')).toHaveText(/already holds a passkey/);

	// Revoking asks first, and the only passkey is refused with its reason.
	await page.getByRole('button', { name: /^Revoke/ }).click();
	await expect(page.getByText('Revoke “Office laptop”?')).toBeVisible();
	await page.getByRole('button', { name: 'Yes, revoke' }).click();
	await expect(page.getByTestId('passkeys-error')).toHaveText(/This is your only passkey/);
	await expect(page.getByTestId('passkeys').getByRole('listitem')).toHaveCount(1);
	await page.context().close();

	// Another device (its own authenticator, no credential for this site) cannot sign in.
	const other = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const stranger = await other.newPage();
	await addVirtualAuthenticator(stranger);
	await stranger.goto('/login');
	await stranger.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(stranger.getByTestId('login-error')).toHaveText(/No passkey was used/);
	await stranger.goto('/account/passkeys');
	await expect(stranger.getByTestId('passkeys-signed-out')).toBeVisible();
	await other.close();
});

test('where the browser offers passkey autofill, the login page signs in through it', async ({
	freshServer,
	browser
}) => {
	const { page, authenticator } = await enrolAdmin(browser, freshServer);
	const [enrolled] = await authenticator.credentials();
	await signOut(page);
	// The virtual authenticator picks its only passkey for the field as a user would.
	await page.goto('/login');
	await expect(page).toHaveURL(/\/admin$/);
	await expect(page.getByTestId('admin-user')).toContainText('Administrator');
	const [used] = await authenticator.credentials();
	expect(used!.signCount).toBeGreaterThan(enrolled!.signCount);
	await page.context().close();
});
