import { join } from 'node:path';
import SQLite from 'better-sqlite3';
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

test('adding another passkey needs a recent passkey check: the page asks for one first, then adds', async ({
	freshServer,
	browser
}) => {
	const { page, authenticator } = await enrolAdmin(browser, freshServer);
	// The enrolment was this session's passkey check; ten minutes later it is no longer recent.
	const db = new SQLite(join(freshServer.dataDir, 'sealpass.db'));
	db.prepare('UPDATE sessions SET verified_at = ?').run(
		new Date(Date.now() - 10 * 60_000).toISOString()
	);
	db.close();
	await page.goto('/account/passkeys');
	await page.getByRole('button', { name: 'Add a passkey on this device' }).click();
	await expect(page.getByTestId('passkeys-error')).toHaveText(
		'Confirm it is you with a passkey you already have before adding another.'
	);
	const check = page.getByTestId('passkeys-check');
	await expect(check).toContainText('first confirm it is you with a passkey you already have');
	await expect(check.getByRole('button', { name: 'Confirm with my passkey' })).toBeFocused();
	const [held] = await authenticator.credentials();
	await check.getByRole('button', { name: 'Confirm with my passkey' }).click();
	await expect(page.getByTestId('passkeys-notice')).toHaveText(
		'Confirmed. You can add a passkey now.'
	);
	const [used] = await authenticator.credentials();
	expect(used!.signCount).toBeGreaterThan(held!.signCount);
	// This device already holds the first passkey; as a second device would, it forgets it here
	// so the browser lets it create another.
	await authenticator.cdp.send('WebAuthn.removeCredential', {
		authenticatorId: authenticator.authenticatorId,
		credentialId: held!.credentialId
	});
	await page.getByRole('button', { name: 'Add a passkey on this device' }).click();
	await expect(page.getByTestId('passkeys-notice')).toHaveText('Passkey added.');
	await expect(page.getByTestId('passkeys').getByRole('listitem')).toHaveCount(2);
	await page.context().close();
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

test('revoking a passkey on one device signs the device that signed in with it out at once; revoking your own passkey signs you out here', async ({
	freshServer,
	browser
}) => {
	// Two devices, five ceremonies and a dozen page loads: longer than the default on a busy runner.
	test.setTimeout(180_000);
	// The laptop enrols the admin's first passkey; enrolment binds its setup-link session to it.
	const { page: laptop } = await enrolAdmin(browser, freshServer);

	// The phone: a second context with its own authenticator. It borrows the laptop's session
	// only to add its passkey, then signs out and signs in with its own.
	const phoneContext = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	await phoneContext.addInitScript(() => {
		PublicKeyCredential.isConditionalMediationAvailable = async () => false;
	});
	const phone = await phoneContext.newPage();
	await addVirtualAuthenticator(phone);
	await phoneContext.addCookies(await laptop.context().cookies());
	await phone.goto('/account/passkeys');
	await phone.getByRole('button', { name: 'Add a passkey on this device' }).click();
	await expect(phone.getByTestId('passkeys-notice')).toHaveText('Passkey added.');
	const phoneItem = phone.getByTestId('passkeys').getByRole('listitem').nth(1);
	await phoneItem.getByRole('button', { name: /^Rename/ }).click();
	await phone.getByLabel('Passkey name').fill('Phone');
	await phone.getByLabel('Passkey name').press('Enter');
	await expect(phone.getByTestId('passkeys-notice')).toHaveText('Name saved.');
	// The shared session ends for both; each device signs in with its own passkey.
	await phone.goto('/admin');
	await signOut(phone);
	await phone.goto('/login');
	await phone.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(phone).toHaveURL(/\/admin$/);
	await laptop.goto('/login');
	await expect(laptop).toHaveURL(/\/admin$/);

	// Each device sees which passkey it signed in with.
	await phone.goto('/account/passkeys');
	await expect(
		phone.getByTestId('passkeys').getByRole('listitem').filter({ hasText: 'Phone' })
	).toContainText('You signed in here with this passkey');
	await laptop.goto('/account/passkeys');
	const laptopList = laptop.getByTestId('passkeys');
	await expect(laptopList.getByRole('listitem')).toHaveCount(2);
	await expect(laptop.getByTestId('passkey-current')).toHaveCount(1);
	await expect(
		laptopList.getByRole('listitem').filter({ hasText: 'Phone' }).getByTestId('passkey-current')
	).toHaveCount(0);

	// The laptop revokes the phone's passkey.
	await laptop.getByRole('button', { name: 'Revoke: Phone' }).click();
	await expect(
		laptop.getByText('Revoke “Phone”? The device that holds it is signed out')
	).toBeVisible();
	await laptop.getByRole('button', { name: 'Yes, revoke' }).click();
	await expect(laptop.getByTestId('passkeys-notice')).toHaveText('Passkey revoked.');
	await expect(laptopList.getByRole('listitem')).toHaveCount(1);

	// The phone's very next request is signed out, and its passkey no longer signs in.
	await phone.reload();
	await expect(phone.getByTestId('passkeys-signed-out')).toBeVisible();
	expect((await phone.request.get('/api/session')).ok()).toBe(true);
	expect(await (await phone.request.get('/api/session')).json()).toMatchObject({ user: null });
	await phone.goto('/login');
	await phone.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(phone.getByTestId('login-error')).toHaveText(/has been revoked/);
	// The laptop, signed in with the other passkey, stays signed in.
	await laptop.reload();
	await expect(laptop.getByTestId('passkeys').getByRole('listitem')).toHaveCount(1);

	// Revoking the passkey this very session was signed in with: allowed (another one exists),
	// said before and after, and this device is signed out with it.
	await phoneContext.addCookies(await laptop.context().cookies());
	await phone.goto('/account/passkeys');
	await phone.getByRole('button', { name: 'Add a passkey on this device' }).click();
	await expect(phone.getByTestId('passkeys-notice')).toHaveText('Passkey added.');
	await laptop.reload();
	const own = laptop.getByTestId('passkey-current').locator('xpath=ancestor::li');
	await own.getByRole('button', { name: /^Revoke/ }).click();
	await expect(own).toContainText('You signed in here with it, so this device is signed out too');
	await own.getByRole('button', { name: 'Yes, revoke' }).click();
	await expect(laptop.getByTestId('passkeys-notice')).toHaveText(
		'Passkey revoked. You had signed in here with it, so this device is now signed out.'
	);
	await expect(laptop.getByTestId('passkeys-signed-out')).toBeVisible();
	expect(await (await laptop.request.get('/api/session')).json()).toMatchObject({ user: null });
	await phoneContext.close();
	await laptop.context().close();
});
