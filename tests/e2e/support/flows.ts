import type { BrowserContext, Page } from '@playwright/test';
import {
	expect,
	addVirtualAuthenticator,
	waitForServiceWorkerControl,
	type VirtualAuthenticator
} from './fixtures';

/** An inbox item as GET /api/inbox lists it (the fields the tests use). */
export interface InboxEntry {
	id: string;
	docHash: string;
	title: string;
}

/**
 * Enrols the first admin exactly as a person does (setup link → passkey on the page's virtual
 * authenticator) and waits for the admin page. English UI: pass a context with locale en-US.
 * Returns the tab's authenticator, which holds the new passkey.
 */
export async function enrolAdmin(page: Page, setupLink: string): Promise<VirtualAuthenticator> {
	const authenticator = await addVirtualAuthenticator(page);
	await page.goto(setupLink);
	await page.getByRole('button', { name: 'Continue as admin' }).click();
	await expect(page.getByRole('heading', { name: 'Create your passkey' })).toBeFocused();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect(page).toHaveURL(/\/admin$/);
	return authenticator;
}

/**
 * Opens the inbox under the service worker's control and returns the one (demo) contract it
 * lists, without downloading it.
 */
export async function openInbox(page: Page): Promise<InboxEntry> {
	await page.goto('/inbox');
	await waitForServiceWorkerControl(page);
	const { items } = (await (await page.request.get('/api/inbox')).json()) as {
		items: InboxEntry[];
	};
	expect(items).toHaveLength(1);
	await expect(page.getByTestId('envelope-card')).toHaveCount(1);
	return items[0]!;
}

/** Downloads the demo contract from its inbox card and waits until it is on the device. */
export async function downloadDemo(page: Page): Promise<InboxEntry> {
	const demo = await openInbox(page);
	const card = page.getByRole('tabpanel', { name: 'To sign' }).getByTestId('envelope-card');
	await card.getByRole('button', { name: 'Download for offline' }).click();
	await expect(card.getByTestId('offline-badge')).toHaveText('Available offline');
	return demo;
}

/**
 * Takes the context offline and opens a new tab of it: Chromium kept reporting
 * navigator.onLine true after a reload in a tab that was open when the network went away.
 * Close the tab and call context.setOffline(false) when done.
 */
export async function openOfflineTab(context: BrowserContext, path: string): Promise<Page> {
	await context.setOffline(true);
	const page = await context.newPage();
	await page.goto(path);
	await expect(page.getByTestId('connection')).toHaveAttribute('data-online', 'false');
	return page;
}

/**
 * Accepts an invitation on `page` as the invitee does: opens the link from the message, types
 * the code, creates a passkey on a new virtual authenticator, fills in their details and lands
 * in the inbox. Returns the authenticator that holds the new passkey.
 */
export async function acceptInvitation(
	page: Page,
	message: string,
	details: { name: string; residentId: string }
): Promise<VirtualAuthenticator> {
	const link = /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(message)![0];
	const code = /verification code (\d{6})/.exec(message)![1]!;
	const authenticator = await addVirtualAuthenticator(page);
	await page.goto(link);
	await page.getByLabel('Verification code').fill(code);
	await page.getByRole('button', { name: 'Verify' }).click();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	// Consent before any personal data (SPEC PC7).
	await page.getByRole('button', { name: 'Agree and continue' }).click();
	await expect(page.getByRole('heading', { name: 'Your personal details' })).toBeFocused();
	await page.getByLabel('Full name').fill(details.name);
	await page.getByLabel('Resident ID number').fill(details.residentId);
	await page.getByRole('button', { name: 'Save and continue' }).click();
	await expect(page).toHaveURL(/\/inbox$/);
	return authenticator;
}
