import { test, expect, addVirtualAuthenticator } from './support/fixtures';

test.use({ locale: 'en-US' });

test('the printed admin setup link opens an admin session and passkey enrolment once and only once', async ({
	freshServer,
	browser
}) => {
	expect(freshServer.setupLink).toMatch(/\/setup\/[\w-]{43}$/);
	const first = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await first.newPage();
	await addVirtualAuthenticator(page);
	await page.goto(freshServer.setupLink!);
	// Opening the link alone spends nothing: a link preview must not burn it.
	await page.reload();
	await page.getByRole('button', { name: 'Continue as admin' }).click();
	// The spent link's way back in is the admin's own passkey, created next.
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect(page).toHaveURL(/\/admin$/);
	await expect(page.getByTestId('admin-user')).toContainText('Administrator');
	const table = page.getByTestId('contracts');
	await expect(table).toContainText('Purchase Agreement');
	await expect(table).toContainText('3');

	// The demo contract renders with pdf.js, loaded lazily on this page only.
	await table.getByRole('link', { name: /Purchase Agreement/ }).click();
	await expect(page.getByTestId('pdf-pages')).toHaveAttribute('data-pages', '3');
	// Drawn as it comes near the screen, like every page list.
	await page.locator('canvas[data-page="3"]').scrollIntoViewIfNeeded();
	await expect(page.locator('canvas[data-page="3"]')).toHaveAttribute('width', /^[1-9]\d+$/);
	await first.close();

	const second = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const again = await second.newPage();
	await again.goto(freshServer.setupLink!);
	await again.getByRole('button', { name: 'Continue as admin' }).click();
	await expect(again.getByTestId('setup-error')).toHaveText(/already been used/);
	await again.goto('/admin');
	await expect(again.getByTestId('admin-signed-out')).toBeVisible();
	await second.close();
});
