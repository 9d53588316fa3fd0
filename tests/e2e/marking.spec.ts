import type { CDPSession, Locator, Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { downloadDemo, enrolAdmin, openOfflineTab } from './support/flows';
import { demoSeal } from './support/signing';

test.use({ locale: 'en-US' });

const MM = 72 / 25.4;
const SEAL_MM = 42;

interface StoredDraft {
	signerId: string;
	draft: {
		fills: Record<string, { kind: string; image?: string; text?: string; sealId?: string }>;
		seals: { page: number; centre: { x: number; y: number }; sealId: string }[];
		ridingSeams: { pages: unknown; edge: string; position: number; fieldId?: string }[];
	};
}

/**
 * Puts what the seal download brings onto the device (the demo seal's row and its PNG, exactly as
 * the server holds them, SK1) and gives the
 * device copy of the demo contract a date field and a riding-seam field of the signer, as a
 * contract prepared with them arrives: the demo contract itself has only a signature and a seal.
 */
async function prepareDevice(page: Page, envelopeId: string): Promise<{ sealImage: string }> {
	const kitSeal = await demoSeal(page);
	// The geometry below is worked out for the demo seal's size.
	expect(kitSeal.sizeMm).toEqual({ width: SEAL_MM, height: SEAL_MM });
	const png = kitSeal.bytes;
	const sealImage = kitSeal.image;
	await page.evaluate(
		async ({ envelopeId, png, sealImage, sizeMm }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('sealpass');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			const tx = db.transaction(['seals', 'blobs', 'envelopes'], 'readwrite');
			const bytes = new Uint8Array(png);
			tx.objectStore('blobs').put({
				sha256: sealImage,
				data: new Blob([bytes], { type: 'image/png' }),
				size: bytes.byteLength,
				type: 'image/png'
			});
			tx.objectStore('seals').put({
				id: 'seal-demo-contract',
				name: '合同专用章',
				shape: 'round',
				sizeMm: { width: sizeMm, height: sizeMm },
				image: sealImage
			});
			const envelopes = tx.objectStore('envelopes');
			const get = envelopes.get(envelopeId);
			get.onsuccess = () => {
				const row = get.result;
				row.definition.fields.push(
					{
						id: 'field-date',
						kind: 'date',
						signerId: 'signer-admin',
						page: 3,
						rect: { x: 72, y: 95, width: 180, height: 20 },
						required: true
					},
					{
						id: 'field-seam',
						kind: 'riding-seam',
						signerId: 'signer-admin',
						page: 1,
						rect: { x: 560, y: 360, width: 35, height: 120 },
						required: true
					}
				);
				envelopes.put(row);
			};
			await new Promise<void>((resolve, reject) => {
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error);
			});
			db.close();
		},
		{ envelopeId, png: [...png], sealImage, sizeMm: SEAL_MM }
	);
	return { sealImage };
}

/** Reads one meta row straight from IndexedDB, as a reload would find it. */
async function readMeta<T>(page: Page, key: string): Promise<T | undefined> {
	return page.evaluate(async (key) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('sealpass');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const row = await new Promise<{ value: unknown } | undefined>((resolve, reject) => {
			const get = db.transaction('meta').objectStore('meta').get(key);
			get.onsuccess = () => resolve(get.result);
			get.onerror = () => reject(get.error);
		});
		db.close();
		return row?.value;
	}, key) as Promise<T | undefined>;
}

/** The PNG of a blob: size, and whether every visible pixel is black ink with transparent corners. */
async function inspectPng(page: Page, sha256: string) {
	return page.evaluate(async (sha256) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('sealpass');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const row = await new Promise<{ data: Blob; type: string }>((resolve, reject) => {
			const get = db.transaction('blobs').objectStore('blobs').get(sha256);
			get.onsuccess = () => resolve(get.result);
			get.onerror = () => reject(get.error);
		});
		db.close();
		const head = new Uint8Array(await row.data.slice(0, 8).arrayBuffer());
		const bitmap = await createImageBitmap(row.data);
		const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
		const ctx = canvas.getContext('2d')!;
		ctx.drawImage(bitmap, 0, 0);
		const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
		let ink = 0;
		let coloured = 0;
		for (let i = 0; i < data.length; i += 4) {
			if (data[i + 3]! > 128) {
				ink++;
				if (data[i]! + data[i + 1]! + data[i + 2]! > 60) coloured++;
			}
		}
		return {
			png: head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47,
			type: row.type,
			width: bitmap.width,
			height: bitmap.height,
			cornerAlpha: data[3]! + data[data.length - 1]!,
			ink,
			coloured
		};
	}, sha256);
}

/** Draws a wavy stroke with the mouse across the canvas, from fraction `from` to `to` of its width. */
async function mouseStroke(page: Page, canvas: Locator, from: number, to: number, y = 0.5) {
	const box = (await canvas.boundingBox())!;
	const steps = 10;
	await page.mouse.move(box.x + box.width * from, box.y + box.height * y);
	await page.mouse.down();
	for (let i = 1; i <= steps; i++) {
		const t = from + ((to - from) * i) / steps;
		const wave = Math.sin(i / 2) * box.height * 0.2;
		await page.mouse.move(box.x + box.width * t, box.y + box.height * y + wave);
	}
	await page.mouse.up();
}

/** A finger stroke through CDP touch events (touchstart / touchmove / touchend). */
async function touchStroke(
	cdp: CDPSession,
	box: { x: number; y: number; width: number; height: number },
	from: { x: number; y: number },
	to: { x: number; y: number },
	steps = 10
) {
	const at = (f: { x: number; y: number }) => ({
		x: box.x + box.width * f.x,
		y: box.y + box.height * f.y
	});
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(from)] });
	for (let i = 1; i <= steps; i++) {
		const p = {
			x: from.x + ((to.x - from.x) * i) / steps,
			y: from.y + ((to.y - from.y) * i) / steps
		};
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(p)] });
	}
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function freeSealPosition(seal: Locator) {
	return {
		x: Number(await seal.getAttribute('data-x')),
		y: Number(await seal.getAttribute('data-y'))
	};
}

for (const screen of [
	{ name: 'phone, 360 px, touch', width: 360, height: 740, touch: true },
	{ name: 'desktop, mouse', width: 1280, height: 900, touch: false }
]) {
	test(`marking offline (${screen.name}): draw, one-click sign and stamp, free seal, riding seam, kept over a reload`, async ({
		freshServer,
		browser
	}) => {
		test.setTimeout(240_000);
		const context = await browser.newContext({
			baseURL: freshServer.url,
			locale: 'en-US',
			viewport: { width: screen.width, height: screen.height },
			hasTouch: screen.touch
		});
		const online = await context.newPage();
		await enrolAdmin(online, freshServer.setupLink!);
		const demo = await downloadDemo(online);
		const { sealImage } = await prepareDevice(online, demo.id);

		const page = await openOfflineTab(context, `/inbox/${demo.id}`);
		try {
			const draftKey = `draft:${demo.id}`;
			const pages = page.getByTestId('pdf-page');
			await expect(pages).toHaveCount(3);
			const tools = page.getByTestId('marking-tools');
			await expect(tools).toBeVisible();
			// Nothing pushes the view wider than the screen (360 px phones included).
			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
				screen.width
			);
			const done = page.getByTestId('field-done');
			// Signature, seal and date on page 3 and the riding seam; the date is filled already.
			await expect(done).toHaveText('1 of 4 done');
			const confirm = page.getByRole('button', { name: 'Sign with what I placed' });
			await expect(confirm).toBeDisabled();

			// --- Date: the device's local date in Chinese form, editable. ---
			const today = await page.evaluate(() => {
				const d = new Date();
				return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
			});
			const dateField = page.locator('[data-field="field-date"]');
			await expect(dateField).toHaveAttribute('data-filled', 'true');
			await expect(dateField.getByTestId('mark')).toHaveText(today);
			await dateField.click();
			const dateInput = page.getByTestId('date-input');
			await expect(dateInput).toHaveValue(today);
			await dateInput.fill('');
			await expect(dateField).toHaveAttribute('data-filled', 'false');
			await expect(done).toHaveText('0 of 4 done');
			await dateInput.fill('二〇二六年十二月一日');
			await expect(dateField.getByTestId('mark')).toHaveText('二〇二六年十二月一日');
			await expect(done).toHaveText('1 of 4 done');

			// --- Draw a signature: mouse strokes, undo, a touch stroke on phones, save as default. ---
			await tools.getByRole('button', { name: 'Draw a signature' }).click();
			const pad = page.getByRole('dialog', { name: 'Draw your signature' });
			await expect(pad).toBeVisible();
			const canvas = pad.getByTestId('signature-canvas');
			const undo = pad.getByRole('button', { name: 'Undo last stroke' });
			await expect(undo).toBeDisabled();
			await mouseStroke(page, canvas, 0.1, 0.5);
			await mouseStroke(page, canvas, 0.5, 0.9, 0.4);
			await expect(undo).toBeEnabled();
			await undo.click();
			await expect(undo).toBeEnabled();
			await pad.getByRole('button', { name: 'Clear' }).click();
			await expect(undo).toBeDisabled();
			// The pad fits the screen, and (phones) a finger draws: after a clear, a touch stroke
			// alone is something to undo.
			expect((await pad.boundingBox())!.width).toBeLessThanOrEqual(screen.width);
			if (screen.touch) {
				const cdp = await context.newCDPSession(page);
				await touchStroke(
					cdp,
					(await canvas.boundingBox())!,
					{ x: 0.5, y: 0.3 },
					{ x: 0.85, y: 0.7 }
				);
			} else {
				await mouseStroke(page, canvas, 0.5, 0.85, 0.6);
			}
			await expect(undo).toBeEnabled();
			// Esc cancels without keeping anything; drawing again and Done keeps it.
			await page.keyboard.press('Escape');
			await expect(pad).toBeHidden();
			expect(await readMeta(page, 'defaultSignature')).toBeUndefined();
			await tools.getByRole('button', { name: 'Draw a signature' }).click();
			await expect(pad).toBeVisible();
			await mouseStroke(page, canvas, 0.1, 0.55);
			if (screen.touch) {
				const cdp = await context.newCDPSession(page);
				await touchStroke(
					cdp,
					(await canvas.boundingBox())!,
					{ x: 0.55, y: 0.7 },
					{ x: 0.9, y: 0.3 }
				);
			} else {
				await mouseStroke(page, canvas, 0.55, 0.9, 0.3);
			}
			const saveDefault = pad.getByRole('checkbox', { name: 'Save as my default signature' });
			await expect(saveDefault).toBeChecked();
			await pad.getByRole('button', { name: 'Done' }).click();
			await expect(pad).toBeHidden();

			const signatureField = page.locator('[data-field="field-signature"]');
			await expect(signatureField).toHaveAttribute('data-filled', 'true');
			await expect(done).toHaveText('2 of 4 done');
			const defaultSignature = await readMeta<string>(page, 'defaultSignature');
			expect(defaultSignature).toMatch(/^[0-9a-f]{64}$/);
			const png = await inspectPng(page, defaultSignature!);
			expect(png.png).toBe(true);
			expect(png.type).toBe('image/png');
			// Trimmed, transparent, black ink, and enough pixels for 300 dpi in a 60 × 20 mm field.
			expect(png.cornerAlpha).toBe(0);
			expect(png.ink).toBeGreaterThan(500);
			expect(png.coloured).toBe(0);
			expect(png.width >= 700 || png.height >= 230).toBe(true);
			expect(png.width / png.height).toBeGreaterThan(1.2);
			await expect(tools.getByTestId('default-signature')).toBeVisible();

			// --- One-click sign with the saved signature, after clearing the field. ---
			await signatureField.click();
			await page.getByTestId('field-nav').getByRole('button', { name: 'Clear' }).click();
			await expect(signatureField).toHaveAttribute('data-filled', 'false');
			await tools.getByRole('button', { name: 'Sign all my signature fields' }).click();
			await expect(signatureField).toHaveAttribute('data-filled', 'true');
			await expect
				.poll(
					async () => (await readMeta<StoredDraft>(page, draftKey))?.draft.fills['field-signature']
				)
				.toEqual({ kind: 'signature', image: defaultSignature });

			// --- Stamp: the device's seal, one click into the seal field. ---
			const picker = tools.getByTestId('seal-picker');
			await expect(picker.getByRole('radio', { name: /合同专用章/ })).toBeChecked();
			await expect(picker).toContainText('42 × 42 mm');
			await tools.getByRole('button', { name: 'Stamp all my seal fields' }).click();
			const sealField = page.locator('[data-field="field-seal"]');
			await expect(sealField).toHaveAttribute('data-filled', 'true');
			await expect(done).toHaveText('3 of 4 done');
			// Drawn at real size: 42 mm at the view's scale, whatever the field's box.
			const scale = await pages.nth(2).evaluate((el) => el.getBoundingClientRect().width / 595.28);
			const sealMark = (await sealField.getByTestId('mark').boundingBox())!;
			expect(sealMark.width).toBeCloseTo(SEAL_MM * MM * scale, 0);

			// --- A free seal: added to the page in view, dragged, moved with keys, clamped. ---
			await pages.nth(1).evaluate((el) => el.scrollIntoView({ block: 'center' }));
			await page.getByRole('button', { name: 'Add seal on page 2' }).click();
			const free = page.getByTestId('free-seal');
			await expect(free).toHaveCount(1);
			await expect(free).toBeFocused();
			await expect(free).toHaveAccessibleName(/page 2/);
			const start = await freeSealPosition(free);
			expect(start.x).toBeCloseTo(595.28 / 2, 3);
			expect(start.y).toBeCloseTo(841.89 / 2, 3);

			const box = (await free.boundingBox())!;
			const dx = 40;
			const dy = 30;
			const cx = box.x + box.width / 2;
			const cy = box.y + box.height / 2;
			if (screen.touch) {
				const cdp = await context.newCDPSession(page);
				await touchStroke(
					cdp,
					{ x: 0, y: 0, width: 1, height: 1 },
					{ x: cx, y: cy },
					{ x: cx + dx, y: cy + dy },
					10
				);
			} else {
				await page.mouse.move(cx, cy);
				await page.mouse.down();
				await page.mouse.move(cx + dx / 2, cy + dy / 2);
				await page.mouse.move(cx + dx, cy + dy);
				await page.mouse.up();
			}
			const dragged = await freeSealPosition(free);
			// Right and down on screen: x grows, PDF y (upwards) falls.
			expect(dragged.x - start.x).toBeCloseTo(dx / scale, 0);
			expect(start.y - dragged.y).toBeCloseTo(dy / scale, 0);

			await free.focus();
			await page.keyboard.press('ArrowRight');
			await page.keyboard.press('Shift+ArrowUp');
			const keyed = await freeSealPosition(free);
			expect(keyed.x - dragged.x).toBeCloseTo(MM, 6);
			expect(keyed.y - dragged.y).toBeCloseTo(10 * MM, 6);
			await expect
				.poll(async () => (await readMeta<StoredDraft>(page, draftKey))?.draft.seals[0]?.centre)
				.toEqual(keyed);

			// Pushed far right with the keys, it stops flush with the page edge (R14).
			for (let i = 0; i < 40; i++) await page.keyboard.press('Shift+ArrowRight');
			const clamped = await freeSealPosition(free);
			expect(clamped.x).toBeCloseTo(595.28 - (SEAL_MM / 2) * MM, 6);
			const frame = (await pages.nth(1).boundingBox())!;
			const sealBox = (await free.boundingBox())!;
			expect(sealBox.x + sealBox.width).toBeLessThanOrEqual(frame.x + frame.width + 0.5);

			// --- Riding seam over all pages, right edge: page k shows the k-th slice from the left. ---
			await tools
				.getByRole('button', { name: 'Add the riding-seam seal this contract asks for' })
				.click();
			const panel = tools.getByTestId('seam-panel');
			await expect(panel).toBeVisible();
			// The seam the contract asks for is a step like the others: only now is everything done.
			await expect(done).toHaveText('4 of 4 done');
			await expect(panel.getByRole('radio', { name: 'All pages' })).toBeChecked();
			await expect(panel.getByRole('radio', { name: 'Right edge' })).toBeChecked();
			const sliceWidth = ((SEAL_MM * MM) / 3) * scale;
			for (let k = 0; k < 3; k++) {
				const slice = pages.nth(k).getByTestId('seam-slice');
				await expect(slice).toHaveAttribute('data-slice', String(k));
				await expect(slice.locator('img')).toHaveJSProperty('complete', true);
				const geometry = await pages.nth(k).evaluate((el) => {
					const p = el.getBoundingClientRect();
					const s = el.querySelector('[data-testid="seam-slice"]')!.getBoundingClientRect();
					return { pageRight: p.right, right: s.right, width: s.width };
				});
				expect(geometry.width).toBeCloseTo(sliceWidth, 0);
				expect(geometry.right).toBeCloseTo(geometry.pageRight, 0);
			}
			await expect(panel.getByTestId('seam-preview').locator('[data-slice]')).toHaveCount(3);

			// Left edge: page 1 shows the last slice; the position moves with the arrow keys.
			await panel.getByRole('radio', { name: 'Left edge' }).check();
			await expect(pages.nth(0).getByTestId('seam-slice')).toHaveAttribute('data-slice', '2');
			await expect(pages.nth(2).getByTestId('seam-slice')).toHaveAttribute('data-slice', '0');
			const before = (await readMeta<StoredDraft>(page, draftKey))!.draft.ridingSeams[0]!.position;
			await panel.getByTestId('seam-position').focus();
			await page.keyboard.press('ArrowUp');
			await expect
				.poll(async () => (await readMeta<StoredDraft>(page, draftKey))?.draft.ridingSeams[0])
				.toMatchObject({ edge: 'left', pages: 'all', fieldId: 'field-seam' });
			await expect
				.poll(
					async () => (await readMeta<StoredDraft>(page, draftKey))!.draft.ridingSeams[0]!.position
				)
				.toBeGreaterThan(before);

			// Chosen pages: 1 and 3 only, two slices of half the width.
			await panel.getByRole('radio', { name: 'Chosen pages' }).check();
			await panel.getByRole('textbox', { name: 'Page numbers, e.g. 1-3, 5' }).fill('1, 3');
			await expect(pages.nth(1).getByTestId('seam-slice')).toHaveCount(0);
			await expect(pages.nth(0).getByTestId('seam-slice')).toHaveAttribute('data-of', '2');
			await panel.getByRole('textbox', { name: 'Page numbers, e.g. 1-3, 5' }).fill('2');
			await expect(panel.getByRole('alert')).toContainText('at least two pages');
			await panel.getByRole('radio', { name: 'All pages' }).check();
			await expect(pages.nth(1).getByTestId('seam-slice')).toHaveCount(1);

			// --- Every required field filled: the decision is offered; nothing says "signed". ---
			await expect(confirm).toBeEnabled();
			// Confirming opens the preview; going back leaves the contract unsigned (confirm.spec.ts
			// proves the passkey step).
			await confirm.click();
			const dialog = page.getByRole('dialog', { name: 'Preview and confirm' });
			await expect(dialog).toBeVisible();
			await dialog.getByRole('button', { name: 'Back to the contract' }).click();
			await expect(dialog).toBeHidden();
			await expect(page.getByText(/You have signed|已签署/)).toHaveCount(0);

			// --- Reopened, still offline: the draft is all there. A new tab rather than a reload:
			// Chromium may report navigator.onLine true after reloading a tab (see openOfflineTab).
			const stored = (await readMeta<StoredDraft>(page, draftKey))!;
			await page.close();
			const again = await openOfflineTab(context, `/inbox/${demo.id}`);
			const pagesAgain = again.getByTestId('pdf-page');
			await expect(again.getByTestId('field-done')).toHaveText('4 of 4 done');
			await expect(again.locator('[data-field="field-signature"]')).toHaveAttribute(
				'data-filled',
				'true'
			);
			await expect(again.locator('[data-field="field-seal"]')).toHaveAttribute(
				'data-filled',
				'true'
			);
			await expect(again.locator('[data-field="field-date"]').getByTestId('mark')).toHaveText(
				'二〇二六年十二月一日'
			);
			const freeAgain = again.getByTestId('free-seal');
			await expect(freeAgain).toHaveCount(1);
			expect(await freeSealPosition(freeAgain)).toEqual(stored.draft.seals[0]!.centre);
			for (let k = 0; k < 3; k++) {
				await expect(pagesAgain.nth(k).getByTestId('seam-slice')).toHaveAttribute(
					'data-slice',
					String(2 - k)
				);
			}
			expect((await readMeta<StoredDraft>(again, draftKey))!.draft).toEqual(stored.draft);
			expect(stored.draft.fills['field-seal']).toMatchObject({ kind: 'seal', image: sealImage });
			expect(stored.draft.fills['field-date']).toEqual({
				kind: 'date',
				text: '二〇二六年十二月一日'
			});
			await expect(again.getByRole('button', { name: 'Sign with what I placed' })).toBeEnabled();
			await again.close();
		} finally {
			await context.setOffline(false);
		}
		await context.close();
	});
}
