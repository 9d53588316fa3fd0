import { readFileSync } from 'node:fs';
import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';
import { deviceOutbox } from './support/device';
import { api, demoSeal, signInPage } from './support/signing';
import type { Envelope } from '../../src/lib/domain/envelope';
import type { Manifest } from '../../src/lib/domain/manifest';
import { manifestHash } from '../../src/lib/domain/canonical';
import { discSealPng, sha256Hex, signaturePng } from '../support/images';

// A stamp that is not its seal (R20), end to end: a signed manifest that stamps a stand-in image
// under the demo seal's id waits in the device's outbox, the app syncs it, the server refuses it
// with SEAL_IMAGE_MISMATCH, and the 待同步 item says why in both languages.

test.use({ locale: 'en-US', serviceWorkers: 'block' });

const messages = (file: string) =>
	JSON.parse(readFileSync(new URL(`../../messages/${file}.json`, import.meta.url), 'utf8')) as {
		error_SEAL_IMAGE_MISMATCH: string;
	};

test('R20: a manifest stamped with another image under the seal’s id is refused at sync, and the 待同步 item shows SEAL_IMAGE_MISMATCH in Chinese and English', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(180_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	await page.goto('/inbox');

	const credentialId = (
		(await api(page, 'GET', '/api/passkeys')).body.passkeys as { id: string }[]
	)[0]!.id;
	const pool = await api(page, 'POST', '/api/tickets', { credentialId });
	const ticket = (pool.body.tickets as { id: string; nonce: string }[])[0]!;
	const { items } = (await api(page, 'GET', '/api/inbox')).body as { items: { id: string }[] };
	const envelopeId = items[0]!.id;
	const envelope = (await api(page, 'GET', `/api/envelopes/${envelopeId}`)).body
		.envelope as Envelope;
	const kitSeal = await demoSeal(page);
	const sigPng = await signaturePng();
	const discPng = await discSealPng();
	expect(sha256Hex(discPng)).not.toBe(kitSeal.image);
	// Signed with the real passkey: only the stamp's image is wrong.
	const signed = await signInPage(page, {
		envelope,
		credentialId,
		ticket: { id: ticket.id, nonce: ticket.nonce },
		signature: sha256Hex(sigPng),
		seal: { ...kitSeal, image: sha256Hex(discPng) },
		deviceTime: new Date().toISOString()
	});
	const hash = await manifestHash(signed.manifest as Manifest);
	await page.evaluate(
		async ({ signed, hash, envelopeId, credentialId, images }) => {
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
				manifestHash: hash,
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
			hash,
			envelopeId,
			credentialId,
			images: {
				[sha256Hex(sigPng)]: Buffer.from(sigPng).toString('base64'),
				[sha256Hex(discPng)]: Buffer.from(discPng).toString('base64')
			}
		}
	);

	// The app's start-up sync uploads the row; the refusal is final (Y2).
	await page.reload();
	await expect
		.poll(async () => (await deviceOutbox(page)).map((r) => [r.state, r.error?.code]))
		.toEqual([['failed', 'SEAL_IMAGE_MISMATCH']]);
	await page.getByRole('tab', { name: 'Not yet synced' }).click();
	const item = page.getByTestId('outbox-item');
	await expect(item).toHaveAttribute('data-state', 'failed');
	await expect(item.locator('p[lang="zh-CN"]')).toHaveText(
		messages('zh-CN').error_SEAL_IMAGE_MISMATCH
	);
	await expect(item.locator('p[lang="en"]')).toHaveText(messages('en').error_SEAL_IMAGE_MISMATCH);
	await expect(item).toContainText('SEAL_IMAGE_MISMATCH');
	await context.close();
});
