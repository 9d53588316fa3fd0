import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { enrolAdmin, openInbox, openOfflineTab } from './support/flows';

test.use({ locale: 'en-US' });

/** What the device store holds, read with the plain IndexedDB API (no app code involved). */
async function deviceStore(page: Page) {
	return page.evaluate(async () => {
		const request = (r: IDBRequest) =>
			new Promise<unknown>((resolve, reject) => {
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
		const db = (await request(indexedDB.open('sealpass'))) as IDBDatabase;
		const tx = db.transaction(['blobs', 'envelopes'], 'readonly');
		const blobs = (await request(tx.objectStore('blobs').getAll())) as {
			sha256: string;
			data: Blob;
		}[];
		const envelopes = (await request(tx.objectStore('envelopes').getAll())) as {
			id: string;
			docHash: string;
			downloadedAt: string | null;
		}[];
		db.close();
		const hex = (buffer: ArrayBuffer) =>
			[...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
		return {
			blobs: await Promise.all(
				blobs.map(async (b) => ({
					key: b.sha256,
					actual: hex(await crypto.subtle.digest('SHA-256', await b.data.arrayBuffer()))
				}))
			),
			envelopes: envelopes.map((e) => ({
				id: e.id,
				docHash: e.docHash,
				downloadedAt: e.downloadedAt
			}))
		};
	});
}

test('the demo contract downloads for offline use, verified, and stays listed with the network off', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	// Enrol the admin exactly as the first admin does (setup link → passkey).
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await openInbox(page);

	const todo = page.getByRole('tabpanel', { name: 'To sign' });
	const card = todo.getByTestId('envelope-card');
	await expect(card).toHaveCount(1);
	await expect(card.getByRole('heading', { level: 3 })).toHaveText(demo.title);
	await expect(card.getByTestId('offline-badge')).toHaveText('Not on this device');

	// A download whose bytes do not match docHash is refused and leaves nothing behind.
	await page.route('**/api/envelopes/*/document', async (route) => {
		const response = await route.fetch();
		const body = await response.body();
		body.writeUInt8(body.readUInt8(body.length - 20) ^ 0xff, body.length - 20);
		await route.fulfill({ response, body });
	});
	await card.getByRole('button', { name: 'Download for offline' }).click();
	await expect(card.getByTestId('card-error')).toContainText(
		"does not match the contract's fingerprint"
	);
	await expect(card.getByTestId('offline-badge')).toHaveText('Not on this device');
	const afterCorrupt = await deviceStore(page);
	// No PDF kept (the sync engine may already hold the signing kit's seal image: that is fine).
	expect(afterCorrupt.blobs.map((b) => b.key)).not.toContain(demo.docHash);
	expect(afterCorrupt.envelopes).toEqual([
		{ id: demo.id, docHash: demo.docHash, downloadedAt: null }
	]);
	await page.unroute('**/api/envelopes/*/document');

	// The real download: progress, then the badge; the stored bytes hash to the server's docHash.
	await card.getByRole('button', { name: 'Download for offline' }).click();
	await expect(card.getByTestId('offline-badge')).toHaveText('Available offline');
	await expect(card.getByTestId('download-progress')).toHaveCount(0);
	await expect(card.getByTestId('card-error')).toHaveCount(0);
	const stored = await deviceStore(page);
	// The PDF, and beside it the signing kit's seal image (signing-kit.spec.ts checks that one).
	expect(stored.blobs).toContainEqual({ key: demo.docHash, actual: demo.docHash });
	expect(stored.blobs.every((b) => b.key === b.actual)).toBe(true);
	expect(stored.envelopes[0]!.downloadedAt).not.toBeNull();

	// Offline: the service worker serves the app, Dexie serves the list. (A fresh tab: Chromium
	// kept reporting navigator.onLine true after a reload in the tab used above.)
	const offline = await openOfflineTab(context, '/inbox');
	try {
		await expect(offline.getByTestId('inbox-offline')).toBeVisible();
		await offline.reload();
		await expect(offline.getByTestId('inbox-offline')).toBeVisible();
		const offlineCard = offline
			.getByRole('tabpanel', { name: 'To sign' })
			.getByTestId('envelope-card');
		await expect(offlineCard.getByRole('heading', { level: 3 })).toHaveText(demo.title);
		await expect(offlineCard.getByTestId('offline-badge')).toHaveText('Available offline');
	} finally {
		await context.setOffline(false);
		await offline.close();
	}
	await expect(page.getByTestId('connection')).toHaveAttribute('data-online', 'true');

	// Removing the download frees the blob and keeps the inbox entry.
	await card.getByRole('button', { name: 'Remove download' }).click();
	await expect(card.getByTestId('offline-badge')).toHaveText('Not on this device');
	// The seal image stays: it belongs to the signing kit, not to this contract.
	expect((await deviceStore(page)).blobs.map((b) => b.key)).not.toContain(demo.docHash);
	await context.close();
});

test('the inbox has a progress bar with an accessible name while downloading', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	await page.goto('/inbox');
	// Hold the PDF until the progress bar has been seen, so the check needs no sleep.
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.route('**/api/envelopes/*/document', async (route) => {
		await held;
		await route.continue();
	});
	const card = page.getByTestId('envelope-card');
	await card.getByRole('button', { name: 'Download for offline' }).click();
	await expect(card.getByRole('progressbar', { name: /^Downloading / })).toBeVisible();
	release();
	await expect(card.getByTestId('offline-badge')).toHaveText('Available offline');
	// The persistence request runs on this click and its answer is shown.
	await page.getByRole('button', { name: 'Keep data on this device' }).click();
	await expect(page.getByTestId('persistence')).toHaveText(/Granted|Not granted|cannot keep/);
	await context.close();
});
