import type { BrowserContext, Page } from '@playwright/test';
import { test, expect, type VirtualAuthenticator } from './support/fixtures';
import { carryPasskey, deviceState, type DeviceState } from './support/device';
import { downloadDemo, enrolAdmin, openOfflineTab } from './support/flows';
import { sha256Hex, signaturePng } from '../support/images';
import { demoSeal } from './support/signing';

// Offline confirmation end to end (确认签署 / 退回): a real server, Chromium's
// virtual authenticator, the service worker serving the app with the network off, and the
// device store read back through IndexedDB itself.

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * Puts a saved signature (meta 'defaultSignature') and the demo seal in the device store, as the
 * marking UI and the seals download will: the one-click draft then fills both fields. The seal is
 * the server's own (its image and size), as the signing kit brings it: the server refuses any
 * other image stamped under the seal's id (R20). The test's point is what confirmation does.
 */
async function seedMarks(page: Page) {
	const signature = await signaturePng();
	const kitSeal = await demoSeal(page);
	const seal = kitSeal.bytes;
	await page.evaluate(
		async ({ signature, seal }) => {
			const bytes = (image: { data: string }) =>
				Uint8Array.from(atob(image.data), (c) => c.charCodeAt(0));
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open('sealpass');
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			const tx = db.transaction(['blobs', 'meta', 'seals'], 'readwrite');
			for (const image of [signature, seal]) {
				const data = new Blob([bytes(image)], { type: 'image/png' });
				tx.objectStore('blobs').put({
					sha256: image.hash,
					data,
					size: data.size,
					type: 'image/png'
				});
			}
			tx.objectStore('meta').put({ key: 'defaultSignature', value: signature.hash });
			tx.objectStore('seals').put({
				id: seal.id,
				name: '合同专用章',
				shape: 'round',
				sizeMm: seal.sizeMm,
				image: seal.hash
			});
			await new Promise((resolve, reject) => {
				tx.oncomplete = resolve;
				tx.onerror = () => reject(tx.error);
			});
			db.close();
		},
		{
			signature: { hash: sha256Hex(signature), data: b64(signature) },
			seal: { id: kitSeal.id, sizeMm: kitSeal.sizeMm, hash: kitSeal.image, data: b64(seal) }
		}
	);
	return { signature, seal };
}

/** Enrols, downloads the demo contract, seeds marks, and opens it in an offline tab. */
async function offlineContract(context: BrowserContext, setupLink: string) {
	const page = await context.newPage();
	const enrolled = await enrolAdmin(page, setupLink);
	const demo = await downloadDemo(page);
	// The inbox tops up the pool as soon as it opens (SPEC D3).
	await expect(page.getByTestId('ticket-supply')).toHaveAttribute('data-remaining', '50');
	const marks = await seedMarks(page);
	const offline = await openOfflineTab(context, `/inbox/${demo.id}`);
	const authenticator = await carryPasskey(enrolled, offline);
	await expect(offline.getByTestId('signing')).toBeVisible();
	return { page, offline, demo, marks, authenticator, enrolled };
}

/** POSTs an outbox row to the server as the sync engine will (it is built separately). */
function upload(page: Page, row: DeviceState['outbox'][number], images: Uint8Array[]) {
	return page.evaluate(
		async ({ row, images }) => {
			const response = await fetch('/api/submissions', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({
					idempotencyKey: row.idempotencyKey,
					manifest: row.manifest,
					assertion: row.assertion,
					images
				})
			});
			return { status: response.status, body: await response.json() };
		},
		{ row, images: Object.fromEntries(images.map((i) => [sha256Hex(i), b64(i)])) }
	);
}

/** Signature count of the tab's passkey: +1 per ceremony the authenticator answered. */
async function signCount(authenticator: VirtualAuthenticator): Promise<number> {
	const [credential] = await authenticator.credentials();
	return credential!.signCount;
}

test.use({ locale: 'en-US' });

test('offline 确认签署: preview, passkey, one transaction; kept across an offline reload; the server renders the previewed bytes', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(240_000);
	// A phone-sized screen: the dialog must work at 360 px.
	const context = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		viewport: { width: 360, height: 740 }
	});
	const { page, offline, demo, marks } = await offlineContract(context, freshServer.setupLink!);
	await expect(offline.getByTestId('ticket-supply')).toContainText('50 offline signatures left');

	// The two ways to sign each say what they do: one fills every field, one takes what is placed.
	const oneClick = offline.getByRole('button', { name: 'Fill all my fields and preview' });
	await expect(oneClick).toHaveAccessibleDescription(
		'Puts your saved signature and seal into every field that is yours, then shows a preview. Nothing is signed until you confirm.'
	);
	await expect(
		offline.getByRole('button', { name: 'Sign with what I placed' })
	).toHaveAccessibleDescription(/Signs with the signatures and seals you placed yourself above/);
	await expect(offline.getByRole('button', { name: 'Decline', exact: true })).toBeVisible();
	// Whenever the dialog changes, note whether its confirm button could be pressed while a
	// preview page was still undrawn: confirming pages nobody has been shown must not be possible.
	await offline.evaluate(() => {
		const seen: string[] = [];
		(window as unknown as { earlyConfirm: string[] }).earlyConfirm = seen;
		new MutationObserver(() => {
			const dialog = document.querySelector('[data-testid="confirm-dialog"]');
			const button = dialog?.querySelector<HTMLButtonElement>('.actions button.primary');
			const undrawn = dialog?.querySelectorAll('[data-testid="preview-page"]:not([data-rendered])');
			if (button && !button.disabled && undrawn?.length)
				seen.push(dialog!.getAttribute('data-step')!);
		}).observe(document.body, { subtree: true, childList: true, attributes: true });
	});
	await oneClick.click();
	const dialog = offline.getByRole('dialog', { name: 'Preview and confirm' });
	// The preview shows the page with the marks (page 3), drawn by pdf.js from the render; until
	// it is drawn the dialog says it is preparing the preview and the confirm button waits.
	const previewPage = dialog.getByTestId('preview-page');
	await expect(previewPage).toHaveCount(1);
	await expect(previewPage).toHaveAttribute('data-page', '3');
	await expect(previewPage).toHaveAttribute('data-rendered', 'true', { timeout: 60_000 });
	await expect(dialog.getByTestId('preview-drawing')).toBeHidden();
	await expect(dialog.getByRole('button', { name: 'Confirm signing' })).toBeEnabled();
	expect(
		await offline.evaluate(() => (window as unknown as { earlyConfirm: string[] }).earlyConfirm)
	).toEqual([]);
	// Drawn, the marked page is scrolled into view inside the dialog.
	await expect(previewPage).toBeInViewport({ ratio: 0.95 });
	const previewHash = await dialog.getByTestId('preview-hash').getAttribute('data-sha256');
	expect(previewHash).toMatch(/^[0-9a-f]{64}$/);
	// Fits the phone: no sideways scrolling inside the dialog.
	expect(await dialog.evaluate((d) => d.scrollWidth <= d.clientWidth && d.clientWidth <= 360)).toBe(
		true
	);

	await dialog.getByRole('button', { name: 'Confirm signing' }).click();
	await expect(dialog.getByTestId('confirm-done')).toBeVisible();
	await dialog.getByRole('button', { name: 'Close' }).click();
	await expect(dialog).toBeHidden();

	// Still offline: a reload is served by the service worker and the decision is there.
	await offline.reload();
	await expect(offline.getByTestId('signing-decided')).toHaveText(
		'You signed this contract on this device.'
	);
	await expect(offline.getByTestId('ticket-supply')).toHaveAttribute('data-remaining', '49');
	const state = await deviceState(offline, demo.id);
	expect(state.outbox).toHaveLength(1);
	const row = state.outbox[0]!;
	// Waiting, not synced: 'pending', or 'sending' when an upload attempt (Background Sync fires
	// on registration, whatever the tab's emulated network) was cut by the reload — such a row is
	// sent again under the same idempotency key (SPEC Y7), as proof 6 shows.
	expect(['pending', 'sending']).toContain(row.state);
	expect(row).toMatchObject({ envelopeId: demo.id, previewHash });
	expect(row.images.sort()).toEqual([sha256Hex(marks.signature), sha256Hex(marks.seal)].sort());
	expect(row.manifest.fills.map((f) => f.fieldId)).toEqual(['field-signature', 'field-seal']);
	expect(state.tickets.filter((t) => t.spentBy !== null)).toEqual([
		expect.objectContaining({ id: row.manifest.ticket.id, spentBy: row.id })
	]);
	expect(state.envelope?.myState).toBe('signed');
	await offline.close();

	// Back online: the row, uploaded as it stands, is accepted, and the server's render of the
	// envelope is byte for byte the preview the signer confirmed.
	await context.setOffline(false);
	const answer = await upload(page, row, [marks.signature, marks.seal]);
	expect(answer.status, JSON.stringify(answer.body)).toBe(201);
	expect(answer.body.manifestHash).toBe(row.manifestHash);
	const rendered = await page.request.get(`/api/envelopes/${demo.id}/rendered`);
	expect(rendered.headers()['x-content-sha256']).toBe(previewHash);
	expect(sha256Hex(await rendered.body())).toBe(previewHash);
	await context.close();
});

test('退回 offline: a required reason with a live counter, confirmed by the passkey, kept as an outbox row', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(240_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const { page, offline, demo } = await offlineContract(context, freshServer.setupLink!);

	await offline.getByRole('button', { name: 'Decline', exact: true }).click();
	const dialog = offline.getByRole('dialog', { name: 'Decline this contract' });
	const reason = dialog.getByLabel('Reason');
	const submit = dialog.getByRole('button', { name: 'Confirm decline' });
	await expect(reason).toBeFocused();
	await expect(submit).toBeDisabled();
	await reason.fill('   ');
	await expect(dialog.getByTestId('reject-counter')).toHaveText('0 / 500');
	await expect(submit).toBeDisabled();
	await reason.fill('x'.repeat(501));
	await expect(dialog.getByTestId('reject-counter')).toHaveText('501 / 500');
	await expect(submit).toBeDisabled();
	const text = '  价格条款有误，请修改后重新发送  ';
	await reason.fill(text);
	await expect(dialog.getByTestId('reject-counter')).toHaveText(`${[...text.trim()].length} / 500`);
	// Keyboard: Tab to the button and press Enter.
	await submit.focus();
	await offline.keyboard.press('Enter');
	await expect(dialog.getByTestId('reject-done')).toBeVisible();

	const state = await deviceState(offline, demo.id);
	expect(state.outbox).toHaveLength(1);
	const row = state.outbox[0]!;
	expect(row.state).toBe('pending');
	expect(row.manifest.decision).toEqual({ kind: 'rejected', reason: text.trim() });
	expect(row.manifest.fills).toEqual([]);
	expect(row.images).toEqual([]);
	expect(row.previewHash).toBeNull();
	expect(state.tickets.filter((t) => t.spentBy === row.id)).toHaveLength(1);
	expect(state.envelope?.myState).toBe('rejected');
	await offline.close();

	await context.setOffline(false);
	const answer = await upload(page, row, []);
	expect(answer.status, JSON.stringify(answer.body)).toBe(201);
	await context.close();
});

test('a cancelled ceremony keeps the draft and says why; a failed save is retried without a second ceremony', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(240_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const { offline, demo, authenticator } = await offlineContract(context, freshServer.setupLink!);

	await offline.getByRole('button', { name: 'Fill all my fields and preview' }).click();
	const dialog = offline.getByRole('dialog', { name: 'Preview and confirm' });
	await expect(dialog.getByTestId('preview-hash')).toBeVisible({ timeout: 60_000 });
	const previewHash = await dialog.getByTestId('preview-hash').getAttribute('data-sha256');

	// The person is not verified (wrong finger): the ceremony fails, nothing is written.
	await authenticator.setUserVerified(false);
	await dialog.getByRole('button', { name: 'Confirm signing' }).click();
	await expect(dialog.getByTestId('confirm-error')).toHaveAttribute(
		'data-code',
		'PASSKEY_CANCELLED'
	);
	await expect(dialog.getByTestId('confirm-error')).toContainText('No passkey was used');
	await expect(dialog.getByTestId('preview-hash')).toHaveAttribute('data-sha256', previewHash!);
	let state = await deviceState(offline, demo.id);
	expect(state.outbox).toEqual([]);
	expect(state.tickets.every((t) => t.spentBy === null)).toBe(true);
	expect(state.envelope?.myState).toBe('pending');

	// The next outbox write fails once (a disk error): the assertion is kept in memory.
	await authenticator.setUserVerified(true);
	await offline.evaluate(() => {
		const add = IDBObjectStore.prototype.add;
		IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args) {
			if (this.name === 'outbox') {
				IDBObjectStore.prototype.add = add;
				throw new DOMException('Simulated disk failure', 'UnknownError');
			}
			return add.apply(this, args);
		} as typeof add;
	});
	const before = await signCount(authenticator);
	await dialog.getByRole('button', { name: 'Try again' }).click();
	await expect(dialog.getByTestId('confirm-error')).toHaveAttribute('data-code', 'SAVE_FAILED');
	expect(await signCount(authenticator)).toBe(before + 1);
	state = await deviceState(offline, demo.id);
	expect(state.outbox).toEqual([]);
	expect(state.tickets.every((t) => t.spentBy === null)).toBe(true);

	await dialog.getByRole('button', { name: 'Save again' }).click();
	await expect(dialog.getByTestId('confirm-done')).toBeVisible();
	// Saved with the assertion already made: the passkey was not asked a second time.
	expect(await signCount(authenticator)).toBe(before + 1);
	state = await deviceState(offline, demo.id);
	expect(state.outbox).toHaveLength(1);
	expect(state.outbox[0]!.previewHash).toBe(previewHash);
	expect(state.envelope?.myState).toBe('signed');
	await context.close();
});

test('proof 7: the tab closed while the confirmation commits leaves the signature wholly absent, with a message', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(240_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const { offline, demo, enrolled } = await offlineContract(context, freshServer.setupLink!);

	await offline.getByRole('button', { name: 'Fill all my fields and preview' }).click();
	const dialog = offline.getByRole('dialog', { name: 'Preview and confirm' });
	await expect(dialog.getByTestId('preview-hash')).toBeVisible({ timeout: 60_000 });

	// When the outbox row is written (the passkey has answered, the images are written, the
	// ticket and envelope not yet), the transaction is kept busy so it can never commit, and
	// the tab is closed from inside that write: no timing, the close always lands mid-transaction.
	await offline.exposeBinding('closeThisTab', () => void offline.close());
	await offline.evaluate(() => {
		// Dexie commits explicitly when its work is issued; the busy loop below must win instead.
		IDBTransaction.prototype.commit = () => {};
		const add = IDBObjectStore.prototype.add;
		IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args) {
			const request = add.apply(this, args);
			if (this.name === 'outbox') {
				const keepBusy = (store: IDBObjectStore): void => {
					store.count().onsuccess = () => keepBusy(store);
				};
				keepBusy(this);
				(window as unknown as { closeThisTab: () => void }).closeThisTab();
			}
			return request;
		} as typeof add;
	});
	const closed = offline.waitForEvent('close');
	await dialog.getByRole('button', { name: 'Confirm signing' }).click();
	await closed;

	// Reopen: nothing of the confirmation is on the device, and the signer is told so.
	const reopened = await context.newPage();
	await reopened.goto(`/inbox/${demo.id}`);
	await expect(reopened.getByTestId('confirm-interrupted')).toHaveText(
		'Your last confirmation of this contract was interrupted before it was saved, so nothing was recorded. Please confirm again.'
	);
	const state = await deviceState(reopened, demo.id);
	expect(state.outbox).toEqual([]);
	expect(state.tickets.filter((t) => t.spentBy !== null)).toEqual([]);
	expect(state.envelope?.myState).toBe('pending');
	await expect(reopened.getByTestId('ticket-supply')).toHaveAttribute('data-remaining', '50');

	// Confirming again works and writes everything at once (the closed tab's authenticator went
	// with it: the passkey comes from the enrolling tab's).
	await carryPasskey(enrolled, reopened);
	await reopened.getByRole('button', { name: 'Fill all my fields and preview' }).click();
	const again = reopened.getByRole('dialog', { name: 'Preview and confirm' });
	await expect(again.getByTestId('preview-hash')).toBeVisible({ timeout: 60_000 });
	await again.getByRole('button', { name: 'Confirm signing' }).click();
	await expect(again.getByTestId('confirm-done')).toBeVisible();
	const after = await deviceState(reopened, demo.id);
	expect(after.outbox).toHaveLength(1);
	expect(after.tickets.filter((t) => t.spentBy === after.outbox[0]!.id)).toHaveLength(1);
	expect(after.envelope?.myState).toBe('signed');
	await context.close();
});
