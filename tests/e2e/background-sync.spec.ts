import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test, expect, waitForServiceWorkerControl } from './support/fixtures';
import { enrolAdmin } from './support/flows';
import { deviceOutbox } from './support/device';
import { api, signInPage, demoSeal } from './support/signing';
import type { Envelope } from '../../src/lib/domain/envelope';
import { sha256Hex, signaturePng } from '../support/images';

// Background Sync with no window open (SPEC Y9): the browser fires the service worker's
// 'sealpass-sync' event while every tab of the app is closed, and the worker uploads the outbox
// itself with the app's own drain code. Chromium fires the event through CDP
// (ServiceWorker.dispatchSyncEvent) from a tab that is not a window of the app.

test.use({ locale: 'en-US' });

test('with every window of the app closed, the service worker’s Background Sync uploads the outbox itself; reopened, the row is synced', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(180_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const sqlite = new Database(join(freshServer.dataDir, 'sealpass.db'));
	try {
		const page = await context.newPage();
		await enrolAdmin(page, freshServer.setupLink!);
		await page.goto('/inbox');
		await waitForServiceWorkerControl(page);

		// A tab that is not a window of the app, to drive the service worker over CDP.
		const driver = await context.newPage();
		const cdp = await context.newCDPSession(driver);
		let registrationId: string | null = null;
		cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
			const ours = registrations.find(
				(r) => !r.isDeleted && r.scopeURL.startsWith(freshServer.url)
			);
			if (ours) registrationId = ours.registrationId;
		});
		await cdp.send('ServiceWorker.enable');
		await expect.poll(() => registrationId).not.toBeNull();

		// A signature confirmed with the passkey, as the confirmation step leaves it: manifest,
		// assertion, images and an outbox row, written offline so no window uploads it.
		const credentialId = (
			(await api(page, 'GET', '/api/passkeys')).body.passkeys as {
				id: string;
			}[]
		)[0]!.id;
		const pool = await api(page, 'POST', '/api/tickets', { credentialId });
		const ticket = (pool.body.tickets as { id: string; nonce: string }[])[0]!;
		const { items } = (await api(page, 'GET', '/api/inbox')).body as {
			items: { id: string }[];
		};
		const envelopeId = items[0]!.id;
		const envelope = (await api(page, 'GET', `/api/envelopes/${envelopeId}`)).body
			.envelope as Envelope;
		const sigPng = await signaturePng();
		// The demo seal as the server holds it, as the device's signing kit brings it.
		const kitSeal = await demoSeal(page);
		const sealPng = kitSeal.bytes;
		const signed = await signInPage(page, {
			envelope,
			credentialId,
			ticket: { id: ticket.id, nonce: ticket.nonce },
			signature: sha256Hex(sigPng),
			seal: kitSeal,
			deviceTime: new Date().toISOString()
		});
		await context.setOffline(true);
		await page.evaluate(
			async ({ signed, envelopeId, credentialId, images }) => {
				const db = await new Promise<IDBDatabase>((resolve, reject) => {
					const open = indexedDB.open('sealpass');
					open.onsuccess = () => resolve(open.result);
					open.onerror = () => reject(open.error);
				});
				const tx = db.transaction(['outbox', 'blobs'], 'readwrite');
				for (const [sha256, base64] of Object.entries(images)) {
					const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
					tx.objectStore('blobs').put({
						sha256,
						data: new Blob([bytes], { type: 'image/png' }),
						size: bytes.byteLength,
						type: 'image/png'
					});
				}
				tx.objectStore('outbox').add({
					createdAt: new Date().toISOString(),
					credentialId,
					envelopeId,
					manifest: signed.manifest,
					idempotencyKey: `e2e-${crypto.randomUUID()}`,
					assertion: signed.assertion,
					images: Object.keys(images),
					previewHash: null,
					state: 'pending',
					attempts: 0,
					nextAttemptAt: null,
					error: null,
					result: null,
					syncedAt: null
				});
				await new Promise((resolve, reject) => {
					tx.oncomplete = resolve;
					tx.onerror = () => reject(tx.error);
				});
				db.close();
			},
			{
				signed,
				envelopeId,
				credentialId,
				images: {
					[sha256Hex(sigPng)]: Buffer.from(sigPng).toString('base64'),
					[sha256Hex(sealPng)]: Buffer.from(sealPng).toString('base64')
				}
			}
		);
		expect((await deviceOutbox(page)).map((r) => r.state)).toEqual(['pending']);

		// Every window of the app closes; the connection returns; the browser fires the sync.
		await page.close();
		expect(context.pages().map((p) => p.url())).toEqual(['about:blank']);
		await context.setOffline(false);
		const submissions = () =>
			sqlite.prepare('SELECT id FROM submissions WHERE envelope_id = ?').all(envelopeId) as {
				id: string;
			}[];
		expect(submissions()).toEqual([]);
		const fireSync = () =>
			cdp.send('ServiceWorker.dispatchSyncEvent', {
				origin: new URL(freshServer.url).origin,
				registrationId: registrationId!,
				tag: 'sealpass-sync',
				lastChance: false
			});

		// The server has the submission, though no window of the app was open to send it. The
		// browser fires a sync again while the outbox is not sent (a first one can meet the
		// connection before it is back for the worker); so does the test, every few seconds.
		// Idempotency keys make a repeated upload harmless, so one submission is the answer.
		await fireSync();
		await expect
			.poll(
				async () => {
					if (submissions().length === 0) await fireSync();
					return submissions().length;
				},
				{ timeout: 60_000, intervals: [5_000] }
			)
			.toBe(1);
		expect(context.pages().map((p) => p.url())).toEqual(['about:blank']);

		// Reopened, the device knows: the row is synced with the server's submission id, and the
		// indicator has nothing waiting.
		const reopened = await context.newPage();
		await reopened.goto('/inbox');
		await expect
			.poll(async () =>
				(await deviceOutbox(reopened)).map((r) => [r.state, r.result?.submissionId])
			)
			.toEqual([['synced', submissions()[0]!.id]]);
		await expect(
			reopened.getByTestId('sync-indicator').getByRole('button', { name: /Sync status: Synced/ })
		).toBeVisible();
	} finally {
		sqlite.close();
		await context.close();
	}
});
