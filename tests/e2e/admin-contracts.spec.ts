import type { Locator, Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';
import { multiPagePdf, qpdfEncrypted, truncated } from '../support/test-pdfs';

test.use({ locale: 'en-US' });

const pdfFile = (name: string, bytes: Uint8Array) => ({
	name,
	mimeType: 'application/pdf',
	buffer: Buffer.from(bytes)
});

/** The field's stored rectangle in PDF points, as the editor exposes it. */
async function rectOf(field: Locator) {
	const [x, y, width, height] = (await field.getAttribute('data-rect'))!.split(',').map(Number);
	return { x: x!, y: y!, width: width!, height: height! };
}

/** Draws a field by dragging with the pointer inside page `n`, from and to fractions of the page. */
async function drag(page: Page, n: number, from: [number, number], to: [number, number]) {
	const layer = page.locator(`[data-testid="page-layer"][data-page="${n}"]`);
	// A page can be taller than the viewport: bring the starting point itself into view.
	await layer.evaluate((el, fy) => {
		const r = el.getBoundingClientRect();
		window.scrollBy(0, r.top + r.height * fy - innerHeight / 2);
	}, from[1]);
	const box = (await layer.boundingBox())!;
	await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
	await page.mouse.up();
}

/** Places a seal for the chosen signer with the keyboard only and nudges it with arrow keys. */
async function sealByKeyboard(page: Page, pageNumber: number) {
	await page.getByRole('button', { name: 'Seal', exact: true }).focus();
	await page.keyboard.press('Space');
	await page.getByTestId('keyboard-page').selectOption(String(pageNumber));
	await page.getByRole('button', { name: 'Add at the page centre' }).focus();
	await page.keyboard.press('Enter');
	const field = page.locator('[data-testid="field"]:focus');
	await expect(field).toHaveAttribute('data-kind', 'seal');
	const before = await rectOf(field);
	for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
	for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+ArrowDown');
	await expect.poll(async () => (await rectOf(field)).x).toBeCloseTo(before.x + 6, 1);
	const after = await rectOf(field);
	// Shift+arrows resize from the bottom-right corner: taller, top edge where it was.
	expect(after.height).toBeCloseTo(before.height + 4, 1);
	expect(after.y + after.height).toBeCloseTo(before.y + before.height, 1);
	return field;
}

test('an admin uploads a multi-page PDF, places fields for two signers by drag and keyboard, and sends it', async ({
	freshServer,
	browser
}) => {
	// The whole preparation of a contract in one flow: longer than the default minute on a busy
	// two-core machine.
	test.setTimeout(180_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);

	await page.getByRole('link', { name: 'New contract' }).click();
	await expect(page.getByRole('heading', { name: 'New contract' })).toBeVisible();
	await page.getByLabel('Title').fill('Supply agreement 供货合同');
	const parties = page.getByTestId('party');
	await parties.nth(0).getByLabel('Party name').fill('示例科技有限公司');
	await page.getByRole('button', { name: 'Add a person' }).click();
	await parties.nth(1).getByLabel('Party name').fill('李四');
	await parties.nth(1).getByLabel('Name', { exact: true }).fill('李四');
	await parties.nth(1).getByLabel('E-mail or mobile number').fill('lisi@example.cn');

	// Refused files: each with its own message, and the form keeps what was typed.
	const pdf = await multiPagePdf();
	const fileInput = page.getByLabel('PDF document');
	const error = page.getByTestId('upload-error');
	const submit = page.getByRole('button', { name: 'Upload and place fields' });
	await fileInput.setInputFiles(pdfFile('locked.pdf', qpdfEncrypted(pdf)));
	await submit.click();
	await expect(error).toHaveText(/encrypted or password-protected/);
	await fileInput.setInputFiles(pdfFile('cut.pdf', truncated(pdf, 0.5)));
	await submit.click();
	await expect(error).toHaveText(/cannot be read: the file is damaged/);
	await fileInput.setInputFiles({
		name: 'notes.pdf',
		mimeType: 'application/pdf',
		buffer: Buffer.from('These are meeting notes, not a PDF.\n'.repeat(20))
	});
	await submit.click();
	await expect(error).toHaveText(/This file is not a PDF/);
	await expect(page.getByLabel('Title')).toHaveValue('Supply agreement 供货合同');
	const listed = await (await page.request.get('/api/admin/contracts')).json();
	// Only the seeded demo: nothing half-created by the refused uploads.
	expect(listed.contracts.map((c: { title: string }) => c.title)).toEqual([
		'采购合同 Purchase Agreement'
	]);

	await fileInput.setInputFiles(pdfFile('supply.pdf', pdf));
	await submit.click();
	await expect(page).toHaveURL(/\/admin\/contracts\/[\w-]+\/edit$/);
	const id = /contracts\/([\w-]+)\/edit/.exec(page.url())![1]!;
	await expect(page.getByTestId('page-layer')).toHaveCount(3);
	await expect(page.getByTestId('not-ready')).toContainText('Administrator has no required field');

	const fields = page.getByTestId('field');
	// Signer 1 (the admin): a signature drawn by drag, a seal by keyboard, a riding seam by click.
	await page.getByRole('button', { name: 'Signature', exact: true }).click();
	await drag(page, 1, [0.1, 0.7], [0.4, 0.78]);
	const signature = fields.and(page.locator('[data-kind="signature"][data-signer="signer-1"]'));
	await expect(signature).toHaveCount(1);
	const drawn = await rectOf(signature);
	expect(drawn.width).toBeGreaterThan(150);
	expect(drawn.x).toBeGreaterThan(50);
	await sealByKeyboard(page, 1);
	await page.getByRole('button', { name: 'Riding seam', exact: true }).click();
	await drag(page, 1, [0.9, 0.5], [0.9, 0.5]);
	const seam = fields.and(page.locator('[data-kind="riding-seam"]'));
	await expect(seam).toHaveCount(1);
	const seamRect = await rectOf(seam);
	expect(seamRect.x + seamRect.width).toBeCloseTo(595.28, 1);
	// The narrow seam strip still shows its whole tag: wrapped inside the field, not cut off.
	const seamTag = seam.getByTestId('field-tag');
	await expect(seamTag).toHaveText('Riding seam · Administrator');
	expect(
		await seamTag.evaluate(
			(el) =>
				el.scrollWidth <= el.clientWidth &&
				el.scrollHeight <= el.clientHeight &&
				el.getBoundingClientRect().bottom <= el.parentElement!.getBoundingClientRect().bottom
		)
	).toBe(true);

	// Signer 2: the same on page 2, in their own colour.
	await page.getByRole('radio', { name: '李四' }).check();
	await page.getByRole('button', { name: 'Signature', exact: true }).click();
	await drag(page, 2, [0.5, 0.6], [0.8, 0.7]);
	await expect(
		fields.and(page.locator('[data-signer="signer-2"][data-kind="signature"]'))
	).toHaveCount(1);
	const seal2 = await sealByKeyboard(page, 2);
	await expect(seal2).toHaveAttribute('data-signer', 'signer-2');
	const colours = await fields.evaluateAll((els) => [
		...new Set(els.map((el) => getComputedStyle(el).borderTopColor))
	]);
	expect(colours).toHaveLength(2);

	// A date field copied to every page, then one copy deleted with the keyboard.
	await page.getByRole('button', { name: 'Date', exact: true }).click();
	await drag(page, 3, [0.5, 0.9], [0.5, 0.9]);
	await page.getByRole('button', { name: 'Copy to all pages' }).click();
	const dates = fields.and(page.locator('[data-kind="date"]'));
	await expect(dates).toHaveCount(3);
	await dates.first().focus();
	await page.keyboard.press('Delete');
	await expect(dates).toHaveCount(2);

	await expect(page.getByTestId('ready')).toBeVisible();
	await page.getByRole('button', { name: 'Save fields' }).click();
	await expect(page.getByTestId('save-state')).toHaveText('All changes saved');

	// The stored layout is what the editor showed.
	const stored = await (await page.request.get(`/api/admin/contracts/${id}`)).json();
	expect(stored.contract.fields).toHaveLength(7);
	expect(stored.contract.readiness).toEqual([]);

	await page.getByRole('link', { name: 'Back to the contract' }).click();
	await page.getByRole('button', { name: 'Send for signing' }).click();
	// Signing in order, 李四 (order 2) is invited when the admin has signed, not now.
	await expect(page.getByTestId('contract-message')).toHaveText(
		/^Sent\. (?!.*invited).*1 later signer will be told when their turn comes\./
	);
	await expect(page.getByTestId('contract-status')).toHaveText('Out for signing');
	await expect(page.getByTestId('progress-row')).toHaveCount(2);
	await expect(page.getByTestId('progress-row').first()).toContainText('Pending');

	// Nothing has gone to 李四 yet: their turn has not come.
	const outbox = await (await page.request.get('/api/admin/outbox')).json();
	expect(outbox.messages.map((m: { recipient: string }) => m.recipient)).not.toContain(
		'lisi@example.cn'
	);

	// The admin signs for our side: the contract is now in their inbox.
	const inbox = await (await page.request.get('/api/inbox')).json();
	expect(inbox.items.map((i: { id: string }) => i.id)).toContain(id);
	await page.goto('/inbox');
	await expect(
		page.getByTestId('envelope-card').filter({ hasText: 'Supply agreement 供货合同' })
	).toBeVisible();
	await context.close();
});
