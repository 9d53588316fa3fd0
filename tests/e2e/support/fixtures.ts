import {
	test as base,
	chromium,
	expect,
	type BrowserContext,
	type CDPSession,
	type Page
} from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumLaunchOptions } from './browser';
import { startServer, type RunningServer } from '../../../scripts/server-process.mjs';

export interface VirtualAuthenticator {
	cdp: CDPSession;
	authenticatorId: string;
	/** Credentials the authenticator holds, as CDP reports them. */
	credentials: () => Promise<{ credentialId: string; signCount: number; userHandle?: string }[]>;
	/** Makes later ceremonies fail user verification (the person is not verified). */
	setUserVerified: (verified: boolean) => Promise<void>;
}

/**
 * Adds Chromium's CDP virtual authenticator to a page: a platform authenticator with resident
 * keys and user verification, as on a phone with a fingerprint sensor. Real ceremonies run
 * against it, so tests exercise the same WebAuthn code paths as a device.
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable', { enableUI: false });
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true,
			automaticPresenceSimulation: true
		}
	});
	return {
		cdp,
		authenticatorId,
		credentials: async () =>
			(await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
		setUserVerified: async (isUserVerified) => {
			await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
		}
	};
}

/** Waits until a service worker controls the page (the first visit installs it, a reload hands control). */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
		await page.reload();
	}
	await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
}

interface Fixtures {
	authenticator: VirtualAuthenticator;
	/** A server of its own with an empty data folder, for tests that change global state. */
	freshServer: RunningServer;
	/** A persistent (non-incognito) context, which Chromium needs to judge installability. */
	persistentContext: BrowserContext;
}

export const test = base.extend<Fixtures>({
	baseURL: async ({}, use) => {
		const url = process.env.SEALPASS_URL;
		if (!url) throw new Error('SEALPASS_URL is not set: the global setup did not start a server');
		await use(url);
	},
	authenticator: async ({ page }, use) => {
		await use(await addVirtualAuthenticator(page));
	},
	freshServer: async ({}, use) => {
		const server = await startServer();
		await use(server);
		await server.stop();
	},
	persistentContext: async ({}, use) => {
		const dir = mkdtempSync(join(tmpdir(), 'sealpass-profile-'));
		const context = await chromium.launchPersistentContext(dir, {
			...chromiumLaunchOptions(),
			headless: true
		});
		await use(context);
		await context.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

export { expect };
