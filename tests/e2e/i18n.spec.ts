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
