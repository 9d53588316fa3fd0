import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import {
	adminContext,
	applyForOrgCertification,
	approveAndMakeSeal,
	certificationQueueItem,
	inviteLink,
	outboxMessages
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

test('LR1–LR6: the legal representative authorises with their passkey, the operator approves, seals can be made', async ({
	browser
}) => {
	test.setTimeout(300_000);
	const server = await startServer({ SEED_DEMO: '0' });
	try {
		const { context, page } = await adminContext(browser, server);

		// 申请认证, then the method: the legal representative.
		await applyForOrgCertification(page, { name: ORG, uscc: USCC, representative: '张三' });

		const verify = page.getByTestId('cert-verify');
		await verify.getByLabel(/法定代表人认证/).check();
		// No bank in this method: the simulated bank's label does not appear.
		await expect(verify.getByTestId('bank-simulated')).toHaveCount(0);
		const request = verify.getByTestId('legal-rep-form');
		await request
			.getByLabel("Legal representative's mobile number or e-mail")
			.fill('zhangsan@example.cn');
		await request.getByLabel("Legal representative's ID number (证件号码)").fill(REP_ID);
		await request
			.getByRole('button', { name: 'Send the request to the legal representative' })
			.click();
		await expect(verify.getByTestId('legal-rep-sent')).toContainText('zhangsan@example.cn');
		const message = (await outboxMessages(page)).find(
			(m) => m.recipient === 'zhangsan@example.cn'
		)!;
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
		await context.close();
	} finally {
		await server.stop();
	}
});
