import { test, expect } from './support/fixtures';

test.describe('Chinese browser', () => {
	test.use({ locale: 'zh-CN' });

	test('defaults to Chinese, and a switch to English persists across reloads and tabs', async ({
		page,
		context
	}) => {
		await page.goto('/inbox');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('待签署');
		await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

		await page.getByTestId('language-switch').selectOption('en');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inbox');
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');

		await page.reload();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inbox');
		const other = await context.newPage();
		await other.goto('/seals');
		await expect(other.getByRole('heading', { level: 1 })).toHaveText('Seals');

		await other.getByTestId('language-switch').selectOption('zh-CN');
		await expect(other.getByRole('heading', { level: 1 })).toHaveText('印章');
	});
});

test.describe('Chinese browser, header', () => {
	test.use({ locale: 'zh-CN' });

	test('a language switch changes every header string in place, the sync indicator too', async ({
		page
	}) => {
		await page.goto('/inbox');
		const sync = page.getByTestId('sync-indicator').getByRole('button');
		const nav = page.getByRole('navigation');
		await expect(sync).toHaveAccessibleName('同步状态: 已同步');
		await expect(sync).toContainText('已同步');
		await expect(nav.getByRole('link', { name: '待签署' })).toBeVisible();
		// A mark on the window proves the switch happens without a reload.
		await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

		await page.getByTestId('language-switch').selectOption('en');
		await expect(sync).toHaveAccessibleName('Sync status: Synced');
		await expect(sync).toContainText('Synced');
		await expect(nav.getByRole('link', { name: 'Inbox' })).toBeVisible();
		await sync.click();
		await expect(page.locator('#sync-panel')).toContainText('Nothing waiting');
		await expect(page.locator('#sync-panel').getByRole('button')).toHaveText('Sync now');
		expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
			true
		);
	});
});

test.describe('English browser', () => {
	test.use({ locale: 'en-US' });

	test('defaults to English', async ({ page }) => {
		await page.goto('/');
		await expect(page.getByRole('navigation').getByRole('link', { name: 'Inbox' })).toBeVisible();
	});
});

for (const [locale, title] of [
	['zh-CN', '页面不存在'],
	['en-US', 'Page not found']
] as const) {
	test.describe(`${locale} 404`, () => {
		test.use({ locale });
		test(`an unknown route shows the 404 page in ${locale}`, async ({ page }) => {
			const response = await page.goto('/no/such/page');
			expect(response?.status()).toBe(404);
			await expect(page.getByTestId('error-page')).toHaveAttribute('data-status', '404');
			await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
			await page
				.getByRole('link', { name: locale === 'zh-CN' ? '返回首页' : 'Back to home' })
				.click();
			await expect(page).toHaveURL(/\/$/);
		});
	});
}
