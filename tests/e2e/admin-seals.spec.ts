import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';

test.use({ locale: 'en-US' });

test('an admin generates a seal with the defaults, sees its image, authorises themself and it is in their signing kit', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);

	await page.getByRole('link', { name: 'Manage seals' }).click();
	await expect(page.getByRole('heading', { name: 'Seals', level: 1 })).toBeVisible();

	// The editor starts from a correct seal: the organisation's registered name is filled in.
	const editor = page.locator('#seal-editor');
	await expect(editor.getByLabel('Organisation name')).toHaveValue('示例科技有限公司');
	// Without it, Done marks the organisation name and writes nothing.
	await editor.getByLabel('Organisation name').fill('');
	await editor.getByRole('button', { name: 'Done' }).click();
	await expect(editor.getByText('Enter the organisation name.')).toBeVisible();

	await editor.getByLabel('Seal name (shown to signers)').fill('E2E 合同专用章');
	await editor.getByLabel('Organisation name').fill('测试科技有限公司');
	// The live preview is the domain's SVG as an image.
	await expect(editor.getByTestId('seal-preview')).toHaveAttribute('src', /^data:image\/svg\+xml/);
	await editor.getByRole('button', { name: 'Done' }).click();
	await expect(page.getByTestId('seal-notice')).toHaveText('Seal E2E 合同专用章 created.');

	const row = page.getByTestId('admin-seal').filter({ hasText: 'E2E 合同专用章' });
	await expect(row).toHaveCount(1);
	await expect(row.getByTestId('seal-status')).toHaveText('Active');
	await expect(row).toContainText('42 × 42 mm');
	await expect(row).toContainText('0 signed');
	const image = row.getByRole('img', { name: 'Seal E2E 合同专用章' });
	await expect(image).toBeVisible();
	await expect
		.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
		.toBeGreaterThan(300);
	const sealId = await row.getAttribute('data-seal-id');

	// Not yet authorised: the signing kit does not offer it.
	const before = (await (await page.request.get('/api/me/seals')).json()) as {
		seals: { id: string }[];
	};
	expect(before.seals.map((s) => s.id)).not.toContain(sealId);

	await row
		.getByLabel('User to authorise for E2E 合同专用章')
		.selectOption({ label: 'Administrator' });
	await row.getByRole('button', { name: 'Authorise' }).click();
	await expect(row.getByTestId('seal-users')).toContainText('Administrator');

	const after = (await (await page.request.get('/api/me/seals')).json()) as {
		seals: { id: string; name: string; shape: string }[];
	};
	expect(after.seals).toContainEqual(
		expect.objectContaining({ id: sealId, name: 'E2E 合同专用章', shape: 'round' })
	);

	// Revoking takes it out of the kit again.
	await row.getByRole('button', { name: 'Revoke Administrator' }).click();
	await expect(row.getByTestId('seal-users')).toHaveCount(0);
	const revoked = (await (await page.request.get('/api/me/seals')).json()) as {
		seals: { id: string }[];
	};
	expect(revoked.seals.map((s) => s.id)).not.toContain(sealId);
	await context.close();
});
