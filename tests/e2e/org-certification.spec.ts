import { test, expect } from './support/fixtures';
import {
	applyForOrgCertification,
	approveAndMakeSeal,
	certificationQueueItem,
	enrolAdmin
} from './support/flows';
import { startServer } from '../../scripts/server-process.mjs';
import { usccCheckChar } from '../../src/lib/domain/validators';

test.use({ locale: 'en-US' });

// A code whose only fault is its check character: accepted with a warning, reviewed by hand.
const ORG = '测试科技有限公司';
const BODY = '91110108MA01C2DE3';
const SUSPECT_USCC = BODY + (usccCheckChar(BODY) === '0' ? '1' : '0');

test('组织机构认证: apply with a suspect USCC, 对公打款 through the simulated bank (a wrong amount first), the operator approves, then seals can be made', async ({
	browser
}) => {
	test.setTimeout(240_000);
	// Without the demo the organisation starts uncertified, as a real installation does.
	const server = await startServer({ SEED_DEMO: '0' });
	try {
		const context = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
		const page = await context.newPage();
		await enrolAdmin(page, server.setupLink!);

		// The seal page explains why no seal can be made yet and leads to certification.
		await page.goto('/admin/seals');
		await expect(page.getByTestId('seal-cert-gate')).toContainText('not certified');
		await expect(page.locator('#seal-editor')).toHaveCount(0);
		await page.getByRole('link', { name: 'Go to organisation certification' }).click();
		await expect(page.getByTestId('cert-state')).toHaveAttribute('data-state', 'uncertified');

		await applyForOrgCertification(
			page,
			{ name: ORG, uscc: SUSPECT_USCC, representative: '张三' },
			async (form) => {
				await expect(form.getByTestId('uscc-warning')).toBeVisible();
				await expect(form.getByRole('img', { name: 'Preview of the licence' })).toBeVisible();
			}
		);
		await expect(page.getByTestId('cert-uscc-suspect')).toBeVisible();
		const verify = page.getByTestId('cert-verify');
		await expect(verify.getByTestId('bank-simulated')).toContainText('SIMULATED BANK');
		await verify.getByLabel('Bank (开户银行)').fill('中国工商银行');
		await verify.getByLabel('Branch (开户支行)').fill('北京中关村支行');
		await verify.getByLabel('Corporate account number (对公账号)').fill('6222020012345678');
		await verify.getByLabel('CNAPS code (联行号, 12 digits)').fill('102100099996');
		await verify.getByRole('button', { name: 'Send the transfer' }).click();
		await expect(verify.getByTestId('deposit-sent')).toContainText('•••• 5678');

		// The amount is read off the simulated bank's statement, as off a real one.
		const bank = await context.newPage();
		await bank.goto('/admin/sim-bank');
		await expect(bank.getByTestId('bank-simulated')).toBeVisible();
		const sent = bank.locator('[data-testid="sim-transfer"][data-direction="to_org"]').first();
		const amount = (await sent.getByTestId('sim-amount').textContent())!.trim();
		expect(amount).toMatch(/^0\.\d\d$/);
		const wrong = amount === '0.50' ? '0.51' : '0.50';

		await verify.getByLabel('Amount received (yuan)').fill(wrong);
		await verify.getByRole('button', { name: 'Confirm amount' }).click();
		await expect(verify.getByTestId('cert-verify-error')).toHaveText('Wrong amount. 2 tries left.');
		await verify.getByLabel('Amount received (yuan)').fill(amount);
		await verify.getByRole('button', { name: 'Confirm amount' }).click();
		await expect(verify.getByTestId('cert-verified')).toBeVisible();

		// The operator (who used the setup link) reviews: the suspect code is flagged.
		const item = await certificationQueueItem(page, ORG);
		await expect(item.getByTestId('cert-queue-verdict')).toContainText(
			'check character does not match'
		);
		await expect(item.getByTestId('cert-queue-evidence')).toContainText('•••• 5678');
		// Now a seal can be made, with the certified name.
		await approveAndMakeSeal(page, item, ORG, '认证后合同章');
		await context.close();
	} finally {
		await server.stop();
	}
});
