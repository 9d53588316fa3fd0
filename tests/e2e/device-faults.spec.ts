import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { chromiumLaunchOptions } from './support/browser';
import { enrolAdmin, openInbox } from './support/flows';
import { deviceState } from './support/device';
import { fillSmallDisk, mountSmallDisk, unmountSmallDisk } from '../support/small-disk';

// Device-side storage running out in real Chromium while a contract is downloaded: the profile
// sits on a small tmpfs that the test fills to the last byte, so IndexedDB's write fails as on a
// full phone. (CDP's Storage.overrideQuotaForOrigin had no effect on Debian's Chromium here, in
// incognito and persistent profiles alike.) The end must be a clear message, nothing
// half-written on the device, and the download working once there is room.

test.use({ locale: 'en-US' });

test('device disk full while downloading a contract: a clear STORAGE_FULL message instead of "the server had a problem", the contract not marked offline, and the download succeeds once space is back', async ({
	freshServer
}) => {
	test.setTimeout(120_000);
	const profile = mkdtempSync(join(tmpdir(), 'sealpass-small-profile-'));
	try {
		mountSmallDisk(profile, '96m');
	} catch (error) {
		rmSync(profile, { recursive: true, force: true });
		throw error;
	}
	const context = await chromium.launchPersistentContext(profile, {
		...chromiumLaunchOptions(),
		headless: true,
		baseURL: freshServer.url,
		locale: 'en-US'
	});
	const filler = join(profile, 'filler');
	try {
		const page = await context.newPage();
		await enrolAdmin(page, freshServer.setupLink!);
		const demo = await openInbox(page);
		// The app has opened its device store (reading it first would create an empty one).
		await expect
			.poll(() =>
				page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name === 'sealpass'))
			)
			.toBe(true);
		const before = await deviceState(page, demo.id);
		expect(before.blobs).not.toContain(demo.docHash);

		// Fill the profile's disk: the next write of the contract's bytes fails.
		fillSmallDisk(filler);

		const card = page.getByRole('tabpanel', { name: 'To sign' }).getByTestId('envelope-card');
		await card.getByRole('button', { name: 'Download for offline' }).click();
		await expect(card.getByText(/not have enough free space/)).toBeVisible();
		await expect(card.getByTestId('offline-badge')).not.toHaveText('Available offline');
		await expect(page.getByTestId('envelope-card')).toHaveCount(1);

		// Room again; the same button now downloads and verifies the copy. The device store is
		// not compared with `before`: after this failed write Debian's Chromium dropped the
		// origin's whole IndexedDB database (it treats the I/O error as a corrupt backing store),
		// which no app code can prevent; docs/reliability.md records it.
		unlinkSync(filler);
		await card.getByRole('button', { name: 'Download for offline' }).click();
		await expect(card.getByTestId('offline-badge')).toHaveText('Available offline');
		expect((await deviceState(page, demo.id)).blobs).toContain(demo.docHash);
	} finally {
		await context.close();
		unmountSmallDisk(profile);
		rmSync(profile, { recursive: true, force: true });
	}
});
