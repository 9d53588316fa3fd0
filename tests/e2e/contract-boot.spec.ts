import { test, expect } from './support/fixtures';
import { downloadDemo, enrolAdmin } from './support/flows';

test.use({ locale: 'en-US' });

// The contract boot script (vite.config.ts, contract-boot.ts) starts pdf.js's worker and module
// from the URLs of the build it came with. A page running a boot script of another release
// (one a browser kept past a deploy) must still show the contract: the app opens it itself.

test('a boot script naming pdf.js files the server no longer has: the app opens the contract itself', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const setup = await context.newPage();
	await enrolAdmin(setup, freshServer.setupLink!);
	const demo = await downloadDemo(setup);
	// Without the service worker from here: Playwright's routing does not see what it answers.
	await setup.evaluate(async () => {
		for (const registration of await navigator.serviceWorker.getRegistrations())
			await registration.unregister();
	});
	await setup.close();
	const page = await context.newPage();

	// This build's boot script with every URL it names moved out of the build: what an old
	// release's script asks for after the deploy (its pdf.js chunk and worker are gone).
	const missing: string[] = [];
	page.on('response', (response) => {
		if (response.url().includes('/_app/immutable/gone/') && !response.ok())
			missing.push(response.url());
	});
	await page.route(/\/contract-boot[^/]*\.js$/, async (route) => {
		const response = await route.fetch();
		const body = (await response.text()).replaceAll('/_app/immutable/', '/_app/immutable/gone/');
		await route.fulfill({ response, body });
	});
	await page.goto(`/inbox/${demo.id}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(demo.title);
	await expect(page.getByTestId('pdf-page').first()).toHaveAttribute('data-rendered', 'true');
	// The old script did ask for its files, and the page drawn is the app's own open.
	expect(missing.length).toBeGreaterThan(0);
	expect(
		await page.evaluate(() => ({
			boot: performance.getEntriesByName('sealpass:boot-open').length,
			app: performance.getEntriesByName('sealpass:bytes').length
		}))
	).toEqual({ boot: 0, app: 1 });
	await context.close();
});

test('every page names its own build’s boot script, content-named and cached immutable', async ({
	freshServer,
	request
}) => {
	const response = await request.get(`${freshServer.url}/inbox`);
	const html = await response.text();
	const src = /<script src="([^"]+)"><\/script>/.exec(html)?.[1];
	expect(src).toMatch(/^\/_app\/immutable\/assets\/contract-boot\.[\w-]+\.js$/);
	// Preloaded first, under the same name.
	expect(response.headers()['link']).toMatch(new RegExp(`^<${src}>; rel="preload"`));
	const script = await request.get(`${freshServer.url}${src}`);
	expect(script.ok()).toBe(true);
	expect(script.headers()['cache-control']).toContain('immutable');
	expect(await script.text()).toContain('sealpass');
	// The prerendered shell, which the service worker answers navigations with offline, too.
	expect(await (await request.get(`${freshServer.url}/`)).text()).toContain(
		`<script src="${src}">`
	);
});
