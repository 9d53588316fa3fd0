import type {
	Browser,
	BrowserContext,
	BrowserContextOptions,
	Locator,
	Page
} from '@playwright/test';
import {
	expect,
	addVirtualAuthenticator,
	waitForServiceWorkerControl,
	type VirtualAuthenticator
} from './fixtures';
import { signaturePng } from '../../support/images';

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
 * A new English browser context on `server` (with any viewport or touch the test asks for) and
 * a tab in it where the first admin has just enrolled with `enrolAdmin`.
 */
export async function adminContext(
	browser: Browser,
	server: { url: string; setupLink?: string | null },
	options: BrowserContextOptions = {}
): Promise<{ context: BrowserContext; page: Page; authenticator: VirtualAuthenticator }> {
	const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', ...options });
	const page = await context.newPage();
	const authenticator = await enrolAdmin(page, server.setupLink!);
	return { context, page, authenticator };
}

/** One message the console adapter kept in the organisation's outbox (GET /api/admin/outbox). */
export interface OutboxMessage {
	recipient: string;
	subject: string;
	body: string;
}

/** The organisation's message outbox, newest first, as the signed-in admin `page` reads it. */
export async function outboxMessages(admin: Page): Promise<OutboxMessage[]> {
	const answer = await admin.request.get('/api/admin/outbox');
	return ((await answer.json()) as { messages: OutboxMessage[] }).messages;
}

/** Invites a person through the API as the admin and returns the invitation message they got. */
export async function inviteByApi(
	admin: Page,
	url: string,
	person: { name: string; contact: string }
): Promise<OutboxMessage> {
	const invited = await admin.request.post('/api/admin/invites', {
		headers: { Origin: url },
		data: person
	});
	expect(invited.status(), await invited.text()).toBe(201);
	return (await outboxMessages(admin)).find((m) => m.recipient === person.contact)!;
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
 * Downloads the contract titled `title` from its card on the inbox's To sign tab, under the
 * service worker's control, and waits until it is on the device. Returns the card.
 */
export async function downloadContract(page: Page, title: string): Promise<Locator> {
	await page.goto('/inbox');
	await waitForServiceWorkerControl(page);
	const card = page
		.getByRole('tabpanel', { name: 'To sign' })
		.getByTestId('envelope-card')
		.filter({ hasText: title });
	await card.getByRole('button', { name: 'Download for offline' }).click();
	await expect(card.getByTestId('offline-badge')).toHaveText('Available offline');
	return card;
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

/** The link and the code of an invitation (or legal representative's or recovery) message. */
export function inviteLink(message: string): { link: string; code: string } {
	return {
		link: /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(message)![0],
		code: /verification code (\d{6})/.exec(message)![1]!
	};
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
	const { link, code } = inviteLink(message);
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

/**
 * Makes a draft contract through the admin contracts API as the upload page does: the demo
 * contract's PDF (the oldest listed) under a new title, with two parties, the signed-in admin
 * for 甲方 and 李四 for 乙方. A sequential one has the admin sign first. 李四 is named by their
 * account when they have one; without it, sending invites them. Returns the contract's id.
 */
export async function draftContract(
	page: Page,
	url: string,
	title: string,
	{
		fileName = 'contract.pdf',
		signingOrder = 'parallel',
		adminContact = null,
		lisiUserId = null
	}: {
		fileName?: string;
		signingOrder?: 'parallel' | 'sequential';
		adminContact?: string | null;
		lisiUserId?: string | null;
	} = {}
): Promise<string> {
	const me = (await (await page.request.get('/api/me')).json()) as { profile: { id: string } };
	const { contracts } = (await (await page.request.get('/api/admin/contracts')).json()) as {
		contracts: { id: string }[];
	};
	const pdf = await page.request.get(`/api/admin/contracts/${contracts.at(-1)!.id}/document`);
	expect(pdf.status()).toBe(200);
	const created = await page.request.post('/api/admin/contracts', {
		headers: { Origin: url },
		multipart: {
			file: { name: fileName, mimeType: 'application/pdf', buffer: await pdf.body() },
			meta: JSON.stringify({
				title,
				signingOrder,
				deadline: null,
				parties: [
					{
						name: '甲方 Example Co.',
						kind: 'organisation',
						signers: [{ name: 'Admin', contact: adminContact, userId: me.profile.id, order: 1 }]
					},
					{
						name: '乙方 李四',
						kind: 'person',
						signers: [
							{
								name: '李四',
								contact: 'lisi@example.cn',
								userId: lisiUserId,
								order: signingOrder === 'sequential' ? 2 : 1
							}
						]
					}
				]
			})
		}
	});
	expect(created.status(), await created.text()).toBe(201);
	return ((await created.json()) as { id: string }).id;
}

/**
 * Places one signature field for each signer of a `draftContract` on page 3 (field-a for the
 * admin, field-b for 李四) and sends the contract. Returns what sending answered (who was
 * invited and notified) for the caller to check.
 */
export async function sendForTwoSignatures(
	page: Page,
	url: string,
	id: string
): Promise<{ invited: number; notified: number; notifyFailed: number }> {
	const field = (fieldId: string, signerId: string, x: number) => ({
		id: fieldId,
		kind: 'signature',
		signerId,
		page: 3,
		rect: { x, y: 150, width: 170, height: 57 },
		required: true
	});
	const fields = await page.request.put(`/api/admin/contracts/${id}/fields`, {
		headers: { Origin: url },
		data: { fields: [field('field-a', 'signer-1', 72), field('field-b', 'signer-2', 330)] }
	});
	expect(fields.status(), await fields.text()).toBe(200);
	const sent = await page.request.post(`/api/admin/contracts/${id}/send`, {
		headers: { Origin: url }
	});
	expect(sent.status(), await sent.text()).toBe(200);
	return (await sent.json()) as { invited: number; notified: number; notifyFailed: number };
}

/**
 * Applies for organisation certification (申请认证) on /admin/certification as the admin does:
 * names, code, legal representative, licence image and privacy consent; waits for 待审核.
 * `beforeSubmit` checks what the filled form shows (a warning, the licence preview).
 */
export async function applyForOrgCertification(
	page: Page,
	org: { name: string; uscc: string; representative: string },
	beforeSubmit: (form: Locator) => Promise<void> = async () => undefined
): Promise<void> {
	await page.goto('/admin/certification');
	const form = page.getByTestId('cert-apply-form');
	await form.getByLabel('Organisation name').fill(org.name);
	await form.getByLabel('Unified social credit code (统一社会信用代码)').fill(org.uscc);
	await form.getByLabel('Legal representative (法定代表人)').fill(org.representative);
	await form.getByTestId('licence-input').setInputFiles({
		name: 'licence.png',
		mimeType: 'image/png',
		buffer: Buffer.from(await signaturePng())
	});
	await beforeSubmit(form);
	await form.getByLabel(/I have read and agree to the privacy terms/).check();
	await form.getByRole('button', { name: 'Apply for certification (申请认证)' }).click();
	await expect(page.getByTestId('cert-state')).toHaveAttribute('data-state', 'pending');
}

/** Opens the operator's review queue from the page's link; returns the application of `orgName`. */
export async function certificationQueueItem(page: Page, orgName: string): Promise<Locator> {
	await page.getByRole('link', { name: 'Certification review queue (operator)' }).click();
	return page.getByTestId('cert-queue-item').filter({ hasText: orgName });
}

/**
 * The operator approves the queued application `item`; the organisation is then 已认证 and a
 * seal named `sealName` can be made, the editor carrying the certified `orgName`.
 */
export async function approveAndMakeSeal(
	page: Page,
	item: Locator,
	orgName: string,
	sealName: string
): Promise<void> {
	await item.getByRole('button', { name: 'Approve' }).click();
	await expect(page.getByTestId('cert-queue-empty')).toBeVisible();
	await page.goto('/admin/certification');
	await expect(page.getByTestId('cert-state')).toHaveAttribute('data-state', 'certified');
	await page.goto('/admin/seals');
	await expect(page.getByTestId('seal-cert-gate')).toHaveCount(0);
	const editor = page.locator('#seal-editor');
	await expect(editor.getByLabel('Organisation name')).toHaveValue(orgName);
	await editor.getByLabel('Seal name (shown to signers)').fill(sealName);
	await editor.getByRole('button', { name: 'Done' }).click();
	await expect(page.getByTestId('seal-notice')).toHaveText(`Seal ${sealName} created.`);
}
