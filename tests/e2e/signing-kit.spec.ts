import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { downloadDemo, enrolAdmin, openInbox, openOfflineTab } from './support/flows';

test.use({ locale: 'en-US' });

interface StoredSeal {
	id: string;
	name: string;
	shape: string;
	sizeMm: { width: number; height: number };
	image: string;
}

/**
 * The seals and images on the device, read with the plain IndexedDB API (no app code involved):
 * each blob's key beside the SHA-256 of its bytes, and the decoded size of each seal image.
 */
async function deviceKit(page: Page) {
	return page.evaluate(async () => {
		const request = (r: IDBRequest) =>
			new Promise<unknown>((resolve, reject) => {
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
		const db = (await request(indexedDB.open('sealpass'))) as IDBDatabase;
		const tx = db.transaction(['blobs', 'seals', 'meta'], 'readonly');
		const seals = (await request(tx.objectStore('seals').getAll())) as StoredSeal[];
		const blobs = (await request(tx.objectStore('blobs').getAll())) as {
			sha256: string;
			data: Blob;
			type: string;
		}[];
		const signature = (await request(tx.objectStore('meta').get('defaultSignature'))) as
			{ value: unknown } | undefined;
		db.close();
		const hex = (buffer: ArrayBuffer) =>
			[...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
		return {
			seals,
			defaultSignature: signature?.value ?? null,
			blobs: await Promise.all(
				blobs.map(async (b) => {
					const image = b.type.startsWith('image/') ? await createImageBitmap(b.data) : null;
					return {
						key: b.sha256,
						type: b.type,
						actual: hex(await crypto.subtle.digest('SHA-256', await b.data.arrayBuffer())),
						pixels: image ? [image.width, image.height] : null
					};
				})
			)
		};
	});
}

test('downloading a contract brings the authorised seal onto the device, verified, and it stays offline', async ({
	freshServer,
	browser
}) => {
	// Two downloads, a removal and an offline tab: over a minute on a loaded two-core machine.
	test.setTimeout(120_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	// One handler for the whole test, switched off by a flag rather than unrouted: the sync engine
	// fetches the kit on its own schedule, and an unroute while its request sits in route.fetch()
	// let Playwright hand that request on before our fulfill ("Route is already handled", CI).
	let damage = true;
	await context.route('**/api/blobs/*', async (route) => {
		if (!damage) return route.continue();
		const response = await route.fetch();
		const body = await response.body();
		body.writeUInt8(body.readUInt8(body.length - 30) ^ 0xff, body.length - 30);
		await route.fulfill({ response, body });
	});
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await openInbox(page);
	const card = page.getByRole('tabpanel', { name: 'To sign' }).getByTestId('envelope-card');

	// A seal image damaged on the way is not kept, and the contract download survives it. Damaged
	// from the first page on: the sync engine also fetches the signing kit when the app starts.
	await card.getByRole('button', { name: 'Download for offline' }).click();
	await expect(card.getByTestId('offline-badge')).toHaveText('Available offline');
	const damaged = await deviceKit(page);
	expect(damaged.seals).toEqual([]);
	expect(damaged.blobs.map((b) => b.key)).toEqual([demo.docHash]);
	damage = false;
	await card.getByRole('button', { name: 'Remove download' }).click();
	await expect(card.getByTestId('offline-badge')).toHaveText('Not on this device');

	// The real download: the device's seals are exactly what the server authorises.
	await downloadDemo(page);
	const server = (await (await page.request.get('/api/me/seals')).json()) as {
		seals: StoredSeal[];
		defaultSignature: string | null;
	};
	expect(server.seals).toHaveLength(1);
	const [seal] = server.seals;
	expect(seal).toMatchObject({
		id: 'seal-demo-contract',
		name: '合同专用章',
		shape: 'round',
		sizeMm: { width: 42, height: 42 }
	});
	const online = await deviceKit(page);
	expect(online.seals).toEqual(server.seals);
	expect(online.defaultSignature).toBeNull();
	// The image is on the device under its hash, its bytes hash to it, and it decodes at 300 dpi.
	expect(online.blobs).toContainEqual({
		key: seal!.image,
		type: 'image/png',
		actual: seal!.image,
		pixels: [496, 496]
	});

	// Offline, in a fresh tab: the seal and its image are still there for stamping.
	const offline = await openOfflineTab(context, '/inbox');
	try {
		await expect(offline.getByTestId('inbox-offline')).toBeVisible();
		const kit = await deviceKit(offline);
		expect(kit.seals).toEqual(server.seals);
		expect(kit.blobs).toContainEqual({
			key: seal!.image,
			type: 'image/png',
			actual: seal!.image,
			pixels: [496, 496]
		});
	} finally {
		await context.setOffline(false);
		await offline.close();
	}
	await context.close();
});
