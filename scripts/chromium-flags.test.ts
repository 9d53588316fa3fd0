import { describe, expect, it } from 'vitest';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../tests/e2e/support/browser';
import { BROWSER_UI_FEATURES_OFF } from './chromium-flags.mjs';

const PREFIX = '--disable-features=';

describe('the Chromium flags of the e2e tests and benchmarks', () => {
	// Chromium keeps only the last --disable-features switch: ours must be the last one and hold
	// every feature Playwright switches off, or a Playwright update would switch one back on.
	it('repeat every feature Playwright disables, in the switch Chromium keeps', async () => {
		const server = await chromium.launchServer(chromiumLaunchOptions());
		try {
			const switches = server
				.process()
				.spawnargs.filter((arg) => arg.startsWith(PREFIX))
				.map((arg) => arg.slice(PREFIX.length).split(','));
			expect(switches.length).toBeGreaterThanOrEqual(2);
			const kept = switches.at(-1)!;
			for (const feature of switches.slice(0, -1).flat()) expect(kept).toContain(feature);
			for (const feature of BROWSER_UI_FEATURES_OFF) expect(kept).toContain(feature);
		} finally {
			await server.close();
		}
	});
});
