import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import type { Browser, Page } from '@playwright/test';
import {
	acceptInvitation,
	adminContext,
	applyForOrgCertification,
	approveAndMakeSeal,
	certificationQueueItem,
	inviteByApi,
	inviteLink,
	outboxMessages,
	type OutboxMessage
} from './support/flows';
import { startServer } from '../../scripts/server-process.mjs';
import { residentIdCheckChar, usccCheckChar } from '../../src/lib/domain/validators';

// 法定代表人认证 (SPEC LR1–LR6) as people live it: the admin applies and names the legal
// representative's e-mail; the representative, in their own browser with their own passkey,
// opens the link from the message, types the code, creates a passkey, certifies (a wrong ID
// number first) and authorises with the passkey; the operator sees the evidence and approves;
// the organisation is 已认证 and a seal can be made.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

const ORG = '授权科技有限公司';
const USCC_BODY = '91110108MA01C2DE3';
const USCC = USCC_BODY + usccCheckChar(USCC_BODY)!;
const REP_ID = '11010519491231002' + residentIdCheckChar('11010519491231002')!;
const OTHER_ID = '11010519800101003' + residentIdCheckChar('11010519800101003')!;

/**
 * On the admin's pending application, chooses 法定代表人认证 and sends the request for REP_ID to
 * `contact`; returns the message the representative got.
 */
async function sendLegalRepRequest(page: Page, contact: string): Promise<OutboxMessage> {
	const verify = page.getByTestId('cert-verify');
	await verify.getByLabel(/法定代表人认证/).check();
	// No bank in this method: the simulated bank's label does not appear.
	await expect(verify.getByTestId('bank-simulated')).toHaveCount(0);
	const request = verify.getByTestId('legal-rep-form');
	await request.getByLabel("Legal representative's mobile number or e-mail").fill(contact);
	await request.getByLabel("Legal representative's ID number (证件号码)").fill(REP_ID);
	await request
		.getByRole('button', { name: 'Send the request to the legal representative' })
		.click();
	await expect(verify.getByTestId('legal-rep-sent')).toContainText(contact);
	return (await outboxMessages(page)).find(
		(m) => m.recipient === contact && m.subject.includes('法定代表人认证')
	)!;
}

/**
 * Runs `steps` on a fresh installation without the demo (its organisation uncertified, as a real
 * one starts) in the tab of its first admin, who is also the operator.
 */
async function asFirstAdmin(
	browser: Browser,
	steps: (admin: { page: Page; server: { url: string } }) => Promise<void>
): Promise<void> {
	const server = await startServer({ SEED_DEMO: '0' });
	try {
		const { context, page } = await adminContext(browser, server);
		await steps({ page, server });
		await context.close();
	} finally {
		await server.stop();
	}
}

test('LR1–LR6: the legal representative authorises with their passkey, the operator approves, seals can be made', async ({
	browser
}) => {
	test.setTimeout(300_000);
	await asFirstAdmin(browser, async ({ page, server }) => {
		// 申请认证, then the method: the legal representative.
		await applyForOrgCertification(page, { name: ORG, uscc: USCC, representative: '张三' });

		const verify = page.getByTestId('cert-verify');
		const message = await sendLegalRepRequest(page, 'zhangsan@example.cn');
		expect(message.subject).toContain('法定代表人认证');
		const { link, code } = inviteLink(message.body);

		// The representative, in a browser of their own with their own authenticator.
		const repContext = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
		const rep = await repContext.newPage();
		const repKey = await addVirtualAuthenticator(rep);
		await rep.goto(link);
		await expect(
			rep.getByRole('heading', { name: 'Legal representative authorisation (法定代表人认证)' })
		).toBeVisible();
		await rep.getByLabel('Verification code').fill(code);
		await rep.getByRole('button', { name: 'Verify' }).click();
		await rep.getByRole('button', { name: 'Create a passkey on this device' }).click();
		await expect(rep).toHaveURL(/\/legal-rep$/);
		await expect(rep.getByText(ORG)).toBeVisible();
		await rep.getByRole('button', { name: 'Agree and continue' }).click();
		await rep.getByLabel('Full name').fill('张三');
		// Another person's number is refused with a clear message, and nothing is lost.
		await rep.getByLabel('Resident ID number').fill(OTHER_ID);
		await rep.getByRole('button', { name: 'Certify and continue' }).click();
		await expect(rep.getByRole('alert')).toContainText('not those of the legal representative');
		await rep.getByLabel('Resident ID number').fill(REP_ID);
		await rep.getByRole('button', { name: 'Certify and continue' }).click();

		// The authorisation names the organisation, its code, the purpose and the validity.
		const manifest = rep.getByTestId('legal-rep-manifest');
		await expect(manifest.getByTestId('manifest-org')).toHaveText(ORG);
		await expect(manifest.getByTestId('manifest-org-id')).toHaveText(USCC);
		await expect(manifest).toContainText('organisation certification');
		await rep.getByRole('button', { name: 'Authorise with passkey' }).click();
		await expect(rep.getByTestId('legal-rep-done')).toBeVisible();
		expect(await repKey.credentials()).toHaveLength(1);

		// The applicant sees it done; the operator sees who, when, which passkey, until when.
		await page.reload();
		await expect(verify.getByTestId('cert-verified')).toBeVisible();
		await expect(verify.getByTestId('legal-rep-confirmed')).toContainText('张三');
		const item = await certificationQueueItem(page, ORG);
		const evidence = item.getByTestId('cert-queue-evidence');
		await expect(evidence).toContainText('Authorised by the legal representative 张三');
		await expect(evidence).toContainText(`${REP_ID.slice(-4)}`);
		await expect(evidence).toContainText('valid until');
		await approveAndMakeSeal(page, item, ORG, '授权后合同章');
		await repContext.close();
	});
});

test('LR2: a representative who already has a passkey is not signed in by the link and code; they sign in with the passkey and authorise', async ({
	browser
}) => {
	test.setTimeout(300_000);
	await asFirstAdmin(browser, async ({ page, server }) => {
		// 张三 is already a member with a passkey, certified with the representative's number.
		const contact = 'zhangsan@example.cn';
		const invitation = await inviteByApi(page, server.url, { name: '张三', contact });
		const repContext = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
		const rep = await repContext.newPage();
		// The sign-in below takes the button path: no passkey autofill offered. Set before the
		// first page loads, as the sign-in link is followed inside the app.
		await rep.addInitScript(() => {
			PublicKeyCredential.isConditionalMediationAvailable = async () => false;
		});
		const repKey = await acceptInvitation(rep, invitation.body, {
			name: '张三',
			residentId: REP_ID
		});
		await rep.evaluate(() => fetch('/api/session', { method: 'DELETE' }));

		await applyForOrgCertification(page, { name: ORG, uscc: USCC, representative: '张三' });
		const { link, code } = inviteLink((await sendLegalRepRequest(page, contact)).body);

		// The right code opens no session: an administrator typed this contact.
		await rep.goto(link);
		await rep.getByLabel('Verification code').fill(code);
		await rep.getByRole('button', { name: 'Verify' }).click();
		const signIn = rep.getByRole('link', { name: 'Sign in with your passkey' });
		await expect(signIn).toBeVisible();
		await expect(rep.getByRole('button', { name: 'Create a passkey on this device' })).toHaveCount(
			0
		);
		expect((await (await rep.request.get('/api/session')).json()).user).toBeNull();

		// Their own passkey signs them in and leads back to the request.
		await signIn.click();
		await expect(rep).toHaveURL(/\/login\?next=/);
		await rep.getByRole('button', { name: 'Sign in with a passkey' }).click();
		await expect(rep).toHaveURL(/\/legal-rep$/);
		// Already certified as the person the application names: straight to the authorisation.
		await rep.getByRole('button', { name: 'Authorisation (授权书)' }).click();
		await expect(rep.getByTestId('legal-rep-manifest').getByTestId('manifest-org')).toHaveText(ORG);
		await rep.getByRole('button', { name: 'Authorise with passkey' }).click();
		await expect(rep.getByTestId('legal-rep-done')).toBeVisible();
		// No second passkey was made: the one from the invitation did it all.
		expect(await repKey.credentials()).toHaveLength(1);

		await page.reload();
		await expect(page.getByTestId('cert-verify').getByTestId('cert-verified')).toBeVisible();
		await repContext.close();
	});
});
