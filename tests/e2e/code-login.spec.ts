import type { APIRequestContext } from '@playwright/test';
import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import type { Browser, Page } from '@playwright/test';
import {
	acceptInvitation,
	adminContext,
	downloadContract,
	draftContract,
	inviteByApi,
	outboxMessages,
	sendForTwoSignatures
} from './support/flows';
import { drawSignature } from './support/mark-confirm';
import { residentIdCheckChar } from '../../src/lib/domain/validators';

// Signing in with a code (SPEC CL1–CL8) as a member lives it: enrolled on their phone, they
// open SealPass on a new laptop that holds no passkey, ask for a code at the address they were
// invited at, type it from the message, are asked to add a passkey there, add it, and see their
// inbox. A stranger's address gets the same answer and no message.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

async function sessionUser(request: APIRequestContext): Promise<{ id: string } | null> {
	return ((await (await request.get('/api/session')).json()) as { user: { id: string } | null })
		.user;
}

const idBody = '11010519491231002';
const residentId = idBody + residentIdCheckChar(idBody)!;
const title = 'Code sign-in agreement 验证码登录协议';

/**
 * The admin, and 李四 enrolled on their phone (context A) with a contract waiting for them; then
 * a new device (context B) with its own empty authenticator, on the login page.
 */
async function memberOnNewDevice(
	browser: Browser,
	server: { url: string; setupLink?: string | null }
) {
	const url = server.url;
	const { page: admin } = await adminContext(browser, server);
	const invitation = await inviteByApi(admin, url, { name: '李四', contact: 'lisi@example.cn' });
	const phone = await browser.newContext({ baseURL: url, locale: 'en-US' });
	await acceptInvitation(await phone.newPage(), invitation.body, { name: '李四', residentId });
	const lisi = (await sessionUser((await phone.pages())[0]!.request))!;
	const contractId = await draftContract(admin, url, title, { lisiUserId: lisi.id });
	await sendForTwoSignatures(admin, url, contractId);

	const laptop = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const page = await laptop.newPage();
	// Chromium's virtual authenticator answers an autofill request by itself: the code path is
	// what is tested here, so this browser offers no passkey autofill.
	await page.addInitScript(() => {
		PublicKeyCredential.isConditionalMediationAvailable = async () => false;
	});
	const authenticator = await addVirtualAuthenticator(page);
	return { admin, lisi, page, authenticator };
}

/** Asks for a code on the login page and returns it, read from the outbox message. */
async function askForCode(page: Page, admin: Page): Promise<string> {
	await page.goto('/login');
	await page.getByRole('button', { name: 'Sign in with a code' }).click();
	await expect(page.getByRole('heading', { name: 'Sign in with a code' })).toBeVisible();
	const contact = page.getByLabel('Phone number or e-mail');
	await contact.fill('LiSi@example.cn');
	await contact.press('Enter');
	await expect(page.getByLabel('Verification code')).toBeFocused();
	// The code arrives through the outbox, at the registered address only.
	await expect
		.poll(async () =>
			(await outboxMessages(admin)).filter((m) => m.subject.includes('sign-in code'))
		)
		.toHaveLength(1);
	const message = (await outboxMessages(admin)).find((m) => m.subject.includes('sign-in code'))!;
	expect(message.recipient).toBe('lisi@example.cn');
	return /sign-in code is (\d{6})/.exec(message.body)![1]!;
}

test('CL1–CL8: a member on a new device signs in with the code from their message, is asked to add a passkey, adds it and sees their inbox', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const url = freshServer.url;
	const { admin, lisi, page, authenticator } = await memberOnNewDevice(browser, freshServer);

	// A stranger's address: the same answer as a member's, and nothing is sent (CL2).
	const stranger = await page.request.post('/api/auth/code/request', {
		headers: { Origin: url },
		data: { contact: 'nobody@example.cn' }
	});
	expect(stranger.status()).toBe(200);
	expect(await stranger.json()).toEqual({ resendAfterSeconds: 60 });

	// By keyboard: the link, the contact, the code.
	const code = await askForCode(page, admin);
	const codeInput = page.getByLabel('Verification code');
	await expect(codeInput).toHaveAttribute('autocomplete', 'one-time-code');
	await expect(codeInput).toHaveAttribute('inputmode', 'numeric');

	// A wrong code counts (CL4); the right one signs in.
	const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
	await codeInput.fill(wrong);
	await codeInput.press('Enter');
	await expect(page.getByTestId('code-login-error')).toHaveText('Wrong code. 4 attempts left.');
	await codeInput.fill(code);
	await page.getByRole('button', { name: 'Verify' }).click();

	// Asked to add a passkey on this device (CL8), through the passkeys registration.
	await expect(page.getByRole('heading', { name: 'Add a passkey on this device' })).toBeFocused();
	expect((await sessionUser(page.request))?.id).toBe(lisi.id);
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect(page).toHaveURL(/\/inbox$/);
	await expect(page.getByTestId('envelope-card').filter({ hasText: title })).toBeVisible();
	expect(await authenticator.credentials()).toHaveLength(1);

	// Two passkeys now, one per device; this session is bound to the new one.
	const { passkeys, currentId } = (await (await page.request.get('/api/passkeys')).json()) as {
		passkeys: { id: string }[];
		currentId: string | null;
	};
	expect(passkeys).toHaveLength(2);
	expect(currentId).not.toBeNull();

	// The new passkey signs in on this device next time, without a code.
	await page.request.delete('/api/session', { headers: { Origin: url } });
	await page.goto('/login');
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page).toHaveURL(/\/inbox$/);
	expect((await sessionUser(page.request))?.id).toBe(lisi.id);
});

test('CL8: skipping the passkey prompt, signing on that device leads to adding a passkey first', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const { admin, page, authenticator } = await memberOnNewDevice(browser, freshServer);
	const code = await askForCode(page, admin);
	await page.getByLabel('Verification code').fill(code);
	await page.getByRole('button', { name: 'Verify' }).click();
	await expect(page.getByRole('heading', { name: 'Add a passkey on this device' })).toBeFocused();
	await page.getByRole('button', { name: 'Not now' }).click();
	await expect(page).toHaveURL(/\/inbox$/);

	// The contract can be read and marked, but confirming asks for a passkey this device lacks.
	const card = await downloadContract(page, title);
	await card.getByRole('link', { name: 'Details' }).click();
	await page.getByRole('link', { name: 'View and sign' }).click();
	await drawSignature(page);
	await page.getByRole('button', { name: 'Sign with what I placed' }).click();
	const dialog = page.getByRole('dialog', { name: 'Preview and confirm' });
	await expect(dialog.getByTestId('confirm-error')).toHaveAttribute(
		'data-code',
		'DEVICE_PASSKEY_MISSING'
	);
	expect(await authenticator.credentials()).toHaveLength(0);
	await dialog.getByRole('link', { name: 'Add a passkey on this device' }).click();
	await expect(page).toHaveURL(/\/account\/passkeys$/);
	await page.getByRole('button', { name: 'Add a passkey on this device' }).click();
	await expect(page.getByTestId('passkeys-notice')).toHaveText('Passkey added.');
	expect(await authenticator.credentials()).toHaveLength(1);
});
