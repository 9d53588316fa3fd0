import { test, expect } from './support/fixtures';
import { enrolAdmin, openInbox } from './support/flows';

test.use({ locale: 'en-US' });

// The link in a message opens that contract, on a phone that has never listed it: the view asks
// the server, downloads it with progress and shows it; signed out, it asks for a sign-in that
// comes back to the contract.

test('a contract link on a fresh device finds the contract, downloads it by itself and shows it', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await openInbox(page);

	// Another device of the same account: the session, but nothing in its IndexedDB.
	const phone = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		storageState: await context.storageState()
	});
	try {
		const view = await phone.newPage();
		await view.goto(`/inbox/${demo.id}`);
		await expect(view.getByRole('heading', { level: 1 })).toHaveText(demo.title);
		const pages = view.getByTestId('pdf-page');
		await expect(pages).toHaveCount(3);
		await expect(pages.nth(0)).toHaveAttribute('data-rendered', 'true');
		// It is kept: the inbox lists it as available offline.
		await view.goto('/inbox');
		await expect(
			view.getByTestId('envelope-card').filter({ hasText: demo.title }).getByTestId('offline-badge')
		).toHaveText('Available offline');
	} finally {
		await phone.close();
		await context.close();
	}
});

test('signed out, a contract link asks for a sign-in that returns to the contract', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	try {
		const page = await context.newPage();
		await page.goto('/inbox/some-contract');
		await expect(page.getByText('Sign in to open this contract.')).toBeVisible();
		await expect(page.getByRole('link', { name: 'Sign in' })).toHaveAttribute(
			'href',
			'/login?next=%2Finbox%2Fsome-contract'
		);
	} finally {
		await context.close();
	}
});
