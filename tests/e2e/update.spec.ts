import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { test, expect, waitForServiceWorkerControl } from './support/fixtures';
import { startServer } from '../../scripts/server-process.mjs';

test.use({ locale: 'en-US' });

test('a new version is announced and waits for the user; reload applies it', async ({
	browser
}) => {
	// A deployment of our own: a copy of the build inside the project (so node_modules resolves),
	// served by the real start script, into which the test then "deploys" a new service worker.
	const deploy = resolve('.e2e-deploy', randomUUID());
	mkdirSync(deploy, { recursive: true });
	cpSync('build', join(deploy, 'build'), { recursive: true });
	const env = { SEALPASS_BUILD_DIR: join(deploy, 'build'), DATA_DIR: join(deploy, 'data') };
	let server = await startServer(env);
	const context = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
	try {
		const page = await context.newPage();
		await page.goto('/inbox');
		await waitForServiceWorkerControl(page);
		const firstScript = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);

		// Deploy: stop, put a changed service worker in place, start again on the same port (the
		// static file server reads file sizes at start, so the file changes while it is down).
		const port = new URL(server.url).port;
		await server.stop();
		const sw = join(deploy, 'build', 'client', 'sw.js');
		writeFileSync(sw, `${readFileSync(sw, 'utf8')}\n// next release\n`);
		rmSync(`${sw}.gz`, { force: true });
		rmSync(`${sw}.br`, { force: true });
		server = await startServer({ ...env, PORT: port });

		await page.evaluate(() => {
			(window as unknown as { marker: string }).marker = 'unsaved work';
		});
		await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());

		const banner = page.getByTestId('update-banner');
		await expect(banner).toBeVisible();
		// Announced, not applied: the page did not reload by itself, so unsaved work survives.
		expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
			'unsaved work'
		);
		expect(
			await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)
		).toBe(true);

		await Promise.all([
			page.waitForEvent('load'),
			banner.getByRole('button', { name: 'Reload' }).click()
		]);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inbox');
		expect(
			await page.evaluate(() => (window as unknown as { marker?: string }).marker)
		).toBeUndefined();
		await expect(page.getByTestId('update-banner')).toHaveCount(0);
		expect(
			await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)
		).toBe(false);
		expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(
			firstScript
		);
	} finally {
		await context.close();
		await server.stop();
		rmSync(deploy, { recursive: true, force: true });
	}
});
