import { test, expect, waitForServiceWorkerControl } from './support/fixtures';

test('the web app manifest is valid and Chromium finds the app installable', async ({
	persistentContext,
	baseURL
}) => {
	const page = persistentContext.pages()[0] ?? (await persistentContext.newPage());
	await page.goto(baseURL!);
	await waitForServiceWorkerControl(page);
	const cdp = await persistentContext.newCDPSession(page);
	const manifest = await cdp.send('Page.getAppManifest');
	expect(manifest.errors).toEqual([]);
	const parsed = JSON.parse(manifest.data ?? '{}');
	expect(parsed.name).toBe('签章通 SealPass');
	expect(parsed.display).toBe('standalone');
	const sizes = parsed.icons.map(
		(i: { sizes: string; purpose?: string }) => `${i.sizes}:${i.purpose ?? 'any'}`
	);
	expect(sizes).toEqual(expect.arrayContaining(['192x192:any', '512x512:any', '512x512:maskable']));
	for (const icon of parsed.icons) {
		const response = await page.request.get(new URL(icon.src, baseURL).href);
		expect(response.headers()['content-type']).toBe('image/png');
	}
	await expect
		.poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors)
		.toEqual([]);
});

test('the service worker takes control and precaches the shell and the pdf.js worker', async ({
	page
}) => {
	await page.goto('/');
	await waitForServiceWorkerControl(page);
	const cached = await page.evaluate(async () => {
		const urls: string[] = [];
		for (const name of await caches.keys()) {
			for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
		}
		return urls;
	});
	expect(cached.some((u) => /pdf\.worker\.min\.[\w-]+\.mjs/.test(u))).toBe(true);
	expect(cached.some((u) => u.includes('/api/'))).toBe(false);
});

test('visited app routes reload with the network off; the API is never served from cache', async ({
	page,
	context
}) => {
	await page.goto('/inbox');
	await waitForServiceWorkerControl(page);
	await page.goto('/seals');
	await context.setOffline(true);
	try {
		await page.goto('/inbox');
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		await expect(page.getByTestId('connection')).toHaveAttribute('data-online', 'false');
		await expect(page.getByTestId('offline-banner')).toBeVisible();
		await page.reload();
		await expect(page.getByRole('tab')).toHaveCount(4);
		await page.goto('/seals');
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		// A nested route gets the same shell; its assets must still resolve from the root.
		await page.goto('/admin/invites');
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		await page.reload();
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		const apiFailed = await page.evaluate(() =>
			fetch('/api/health').then(
				() => false,
				() => true
			)
		);
		expect(apiFailed).toBe(true);
	} finally {
		await context.setOffline(false);
	}
	await expect(page.getByTestId('connection')).toHaveAttribute('data-online', 'true');
});
