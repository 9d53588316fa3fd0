import { test, expect } from './support/fixtures';
import { draftContract, enrolAdmin } from './support/flows';

test.use({ locale: 'en-US' });

test('an admin saves a field layout as a template (saving the unsaved layout first) and applies it to another contract', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(120_000);
	const url = freshServer.url;
	const context = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const first = await draftContract(page, url, 'First 第一份', { fileName: 'layout.pdf' });
	const second = await draftContract(page, url, 'Second 第二份', { fileName: 'layout.pdf' });

	await page.goto(`/admin/contracts/${first}/edit`);
	const fields = page.getByTestId('field');
	// One seal per signer, placed with the keyboard at page 1's centre.
	for (const signer of ['Admin', '李四']) {
		await page.getByRole('radio', { name: signer }).check();
		await page.getByRole('button', { name: 'Seal', exact: true }).click();
		await page.getByTestId('keyboard-page').selectOption('1');
		await page.getByRole('button', { name: 'Add at the page centre' }).click();
	}
	await expect(fields).toHaveCount(2);
	await expect(page.getByTestId('save-state')).toHaveText('Unsaved changes');
	const layout = await fields.evaluateAll((els) =>
		els.map((el) => [el.dataset.kind, el.dataset.signer, el.dataset.rect])
	);

	const name = page.getByLabel('Save this layout as');
	await name.fill('Two seals 双方盖章');
	await page.getByRole('button', { name: 'Save template' }).click();
	await expect(page.getByTestId('editor-status')).toHaveText(
		'Template "Two seals 双方盖章" saved.'
	);
	// The layout was saved before the template was made from it, and the name box is cleared.
	await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
	await expect(name).toHaveValue('');
	const stored = await (await page.request.get(`/api/admin/contracts/${first}`)).json();
	expect(stored.contract.fields).toHaveLength(2);

	await page.goto(`/admin/contracts/${second}/edit`);
	await expect(page.getByRole('heading', { name: /Second 第二份/ })).toBeVisible();
	await expect(fields).toHaveCount(0);
	const apply = page.getByRole('button', { name: 'Apply', exact: true });
	await expect(apply).toBeDisabled();
	await page
		.getByRole('combobox', { name: 'Template', exact: true })
		.selectOption({ label: 'Two seals 双方盖章' });
	await apply.click();
	await expect(page.getByTestId('editor-status')).toHaveText(
		'Template applied: 2 fields added, 0 skipped (page or signer missing).'
	);
	await expect(fields).toHaveCount(2);
	// The same kinds, signer slots and positions as the layout the template was made from.
	expect(
		await fields.evaluateAll((els) =>
			els.map((el) => [el.dataset.kind, el.dataset.signer, el.dataset.rect])
		)
	).toEqual(layout);
	await expect(page.getByTestId('save-state')).toHaveText('Unsaved changes');
	await expect(page.getByTestId('ready')).toBeVisible();
	await context.close();
});
