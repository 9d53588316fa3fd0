import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import { adminContext, outboxMessages } from './support/flows';
import { startServer } from '../../scripts/server-process.mjs';
import { residentIdCheckChar, usccCheckChar } from '../../src/lib/domain/validators';
import { signaturePng } from '../support/images';

// 法定代表人认证 (SPEC LR1–LR6) as people live it: the admin applies and names the legal
// representative's e-mail; the representative, in their own browser with their own passkey,
// opens the link from the message, types the code, creates a passkey, certifies (a wrong ID
// number first) and authorises with the passkey; the operator sees the evidence and approves;
// the organisation is 已认证 and a seal can be made.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

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
		await page.goto('/admin/certification');
		const form = page.getByTestId('cert-apply-form');
		await form.getByLabel('Organisation name').fill('授权科技有限公司');
		await form.getByLabel('Unified social credit code (统一社会信用代码)').fill(USCC);
		await form.getByLabel('Legal representative (法定代表人)').fill('张三');
		await form.getByTestId('licence-input').setInputFiles({
			name: 'licence.png',
			mimeType: 'image/png',
			buffer: Buffer.from(await signaturePng())
		});
		await form.getByLabel(/I have read and agree to the privacy terms/).check();
		await form.getByRole('button', { name: 'Apply for certification (申请认证)' }).click();
		await expect(page.getByTestId('cert-state')).toHaveAttribute('data-state', 'pending');

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
		const link = /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(message.body)![0];
		const code = /verification code (\d{6})/.exec(message.body)![1]!;

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
		await expect(rep.getByText('授权科技有限公司')).toBeVisible();
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
		await expect(manifest.getByTestId('manifest-org')).toHaveText('授权科技有限公司');
		await expect(manifest.getByTestId('manifest-org-id')).toHaveText(USCC);
		await expect(manifest).toContainText('organisation certification');
		await rep.getByRole('button', { name: 'Authorise with passkey' }).click();
		await expect(rep.getByTestId('legal-rep-done')).toBeVisible();
		expect(await repKey.credentials()).toHaveLength(1);

		// The applicant sees it done; the operator sees who, when, which passkey, until when.
		await page.reload();
		await expect(verify.getByTestId('cert-verified')).toBeVisible();
		await expect(verify.getByTestId('legal-rep-confirmed')).toContainText('张三');
		await page.getByRole('link', { name: 'Certification review queue (operator)' }).click();
		const item = page.getByTestId('cert-queue-item').filter({ hasText: '授权科技有限公司' });
		const evidence = item.getByTestId('cert-queue-evidence');
		await expect(evidence).toContainText('Authorised by the legal representative 张三');
		await expect(evidence).toContainText(`${REP_ID.slice(-4)}`);
		await expect(evidence).toContainText('valid until');
		await item.getByRole('button', { name: 'Approve' }).click();
		await expect(page.getByTestId('cert-queue-empty')).toBeVisible();

		await page.goto('/admin/certification');
		await expect(page.getByTestId('cert-state')).toHaveAttribute('data-state', 'certified');
		await page.goto('/admin/seals');
		await expect(page.getByTestId('seal-cert-gate')).toHaveCount(0);
		const editor = page.locator('#seal-editor');
		await expect(editor.getByLabel('Organisation name')).toHaveValue('授权科技有限公司');
		await editor.getByLabel('Seal name (shown to signers)').fill('授权后合同章');
		await editor.getByRole('button', { name: 'Done' }).click();
		await expect(page.getByTestId('seal-notice')).toHaveText('Seal 授权后合同章 created.');
		await repContext.close();
		await context.close();
	} finally {
		await server.stop();
	}
});
