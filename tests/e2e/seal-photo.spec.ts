import sharp from 'sharp';
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';

// The proof for 方式二 (a seal from a photo): a photo of a red stamp on paper, made here, becomes a
// transparent seal whose background pixels are transparent. SPEC SP1–SP7, SA5, SA6.

test.use({ locale: 'en-US' });

const PHOTO = { width: 1200, height: 900 };
const CENTRE = { x: 600, y: 450 };
const RING = { inner: 270, outer: 300 };
const INK = { r: 212, g: 0, b: 15 };

/**
 * A phone photo of a stamp: off-white paper with grain, a grey shadow over the lower left, lines
 * of black print running under the stamp, and a red ring with a star and text-like strokes in
 * slightly uneven ink. A fixed pseudo-random sequence keeps every run the same. Saved as JPEG,
 * as a phone would.
 */
async function stampPhoto(): Promise<Buffer> {
	const { width, height } = PHOTO;
	const rgba = Buffer.alloc(width * height * 4);
	let seed = 20260301;
	const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
	const star = (x: number, y: number) => {
		// A five-pointed star of radius 60 at the centre, by the angle of the point.
		const dx = x - CENTRE.x;
		const dy = y - CENTRE.y;
		const r = Math.hypot(dx, dy);
		const angle = Math.atan2(dx, -dy);
		const phase = Math.abs((((angle / (2 * Math.PI)) * 5 + 5.5) % 1) - 0.5) * 2;
		return r <= 24 + 36 * (1 - phase);
	};
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 4;
			const grain = (random() - 0.5) * 24;
			let [r, g, b] = [236 + grain, 226 + grain, 206 + grain];
			// Black print: three lines of "text" across the page, under the stamp too.
			if ([150, 420, 700].some((row) => y >= row && y < row + 6) && x % 40 < 30) {
				[r, g, b] = [35, 35, 38];
			}
			const d = Math.hypot(x - CENTRE.x, y - CENTRE.y);
			const angle = Math.atan2(y - CENTRE.y, x - CENTRE.x);
			const ring = d >= RING.inner && d <= RING.outer;
			// Text-like strokes along the inside of the ring's upper half.
			const text =
				d >= 200 && d <= 250 && angle < -0.3 && angle > -2.8 && Math.floor(angle * 30) % 3 !== 0;
			if (ring || text || star(x, y)) {
				const v = (random() - 0.5) * 10;
				[r, g, b] = [222 + v, 22 + v, 30 + v];
			}
			// The shadow of the phone over the lower-left corner, up to the stamp but not on it.
			const shade = Math.max(0, Math.min(1, (y - x * 0.5 - 500) / 300)) * 0.5;
			rgba[i] = r * (1 - shade);
			rgba[i + 1] = g * (1 - shade);
			rgba[i + 2] = b * (1 - shade);
			rgba[i + 3] = 255;
		}
	}
	return sharp(rgba, { raw: { width, height, channels: 4 } })
		.jpeg({ quality: 90 })
		.toBuffer();
}

async function sealCount(page: Page): Promise<number> {
	const { seals } = (await (await page.request.get('/api/admin/seals')).json()) as {
		seals: unknown[];
	};
	return seals.length;
}

async function openSeals(page: Page) {
	await page.getByRole('link', { name: 'Manage seals' }).click();
	await expect(page.getByRole('heading', { name: 'Seals', level: 1 })).toBeVisible();
	return page.locator('#seal-photo');
}

test('a photo of a red stamp on paper becomes a transparent seal that signers can be authorised for', async ({
	freshServer,
	browser
}) => {
	// A touch screen as well as a mouse: the crop box is dragged with both.
	const context = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		hasTouch: true
	});
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const maker = await openSeals(page);
	await expect(maker.getByRole('heading', { name: 'From a photo' })).toBeVisible();

	await maker.getByTestId('photo-file').setInputFiles({
		name: 'seal-photo.jpg',
		mimeType: 'image/jpeg',
		buffer: await stampPhoto()
	});
	const box = maker.getByTestId('crop-box');
	await expect(box).toBeVisible();
	// The first box is centred, square (round seal) and 80 % of the photo's height.
	await expect(box).toHaveAttribute('data-width', '720');
	await expect(box).toHaveAttribute('data-height', '720');
	await expect(box).toHaveAttribute('data-x', '240');
	await expect(box).toHaveAttribute('data-y', '90');

	// Keyboard: an arrow moves the box by 1 % of the photo (12 px); Shift + arrow resizes it.
	await box.focus();
	await page.keyboard.press('ArrowRight');
	await expect(box).toHaveAttribute('data-x', '252');
	await page.keyboard.press('Shift+ArrowDown');
	await expect(box).toHaveAttribute('data-width', '732');
	await expect(box).toHaveAttribute('data-height', '732');
	await page.keyboard.press('Shift+ArrowUp');
	await expect(box).toHaveAttribute('data-width', '720');

	// Pointer: dragging the box moves it by the photo pixels under the pointer.
	const frame = await maker.getByTestId('photo-frame').boundingBox();
	const start = await box.boundingBox();
	const scale = PHOTO.width / frame!.width;
	await page.mouse.move(start!.x + start!.width / 2, start!.y + start!.height / 2);
	await page.mouse.down();
	await page.mouse.move(
		start!.x + start!.width / 2 - 12 / scale,
		start!.y + start!.height / 2 + 6 / scale,
		{ steps: 4 }
	);
	await page.mouse.up();
	await expect.poll(async () => Number(await box.getAttribute('data-x'))).toBeLessThan(252);
	await expect.poll(async () => Number(await box.getAttribute('data-y'))).toBeGreaterThan(90);

	// Touch: a finger on the bottom-right corner grows the box, still square.
	const widthBefore = Number(await box.getAttribute('data-width'));
	const corner = (await maker.getByTestId('crop-se').boundingBox())!;
	const touch = await context.newCDPSession(page);
	const at = (dx: number) => [
		{ x: corner.x + corner.width / 2 + dx, y: corner.y + corner.height / 2 + dx }
	];
	await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
	for (const dx of [4, 8, 12, 16])
		await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(dx) });
	await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
	await expect
		.poll(async () => Number(await box.getAttribute('data-width')))
		.toBeGreaterThan(widthBefore + 10);
	expect(await box.getAttribute('data-height')).toBe(await box.getAttribute('data-width'));
	const cropWidth = Number(await box.getAttribute('data-width'));

	// The threshold slider re-runs the extraction live: a high threshold keeps less ink.
	const slider = maker.getByRole('slider', { name: /Ink threshold/ });
	await expect(slider).toHaveValue('60');
	const coverage = async () =>
		Number((await maker.getByTestId('photo-coverage').textContent())!.match(/([\d.]+)%/)![1]);
	const atDefault = await coverage();
	expect(atDefault).toBeGreaterThan(5);
	await slider.fill('200');
	await expect.poll(coverage).toBeLessThan(atDefault);
	await slider.fill('80');
	await expect.poll(coverage).toBeGreaterThan(atDefault * 0.9);
	// A sharp photo at over 400 dpi: nothing to warn about.
	await expect(maker.getByTestId('photo-warnings')).toHaveCount(0);
	// The same crop printed 80 mm wide is under 300 dpi: warned, not blocked.
	const size = maker.getByLabel('Diameter / side (mm)');
	await size.fill('80');
	await expect(maker.getByTestId('photo-warnings')).toContainText(
		`Low resolution: about ${Math.round(cropWidth / (80 / 25.4))} dpi at 80 mm`
	);
	await size.fill('42');
	await expect(maker.getByTestId('photo-warnings')).toHaveCount(0);
	await expect(maker.getByTestId('photo-preview')).toHaveJSProperty('width', 496);

	await maker.getByRole('button', { name: 'Save seal' }).click();
	await expect(maker.getByText('Enter a seal name of 1 to 40 characters.')).toBeVisible();
	await maker.getByLabel('Seal name (shown to signers)').fill('照片合同章');
	const crop = {
		x: Number(await box.getAttribute('data-x')),
		y: Number(await box.getAttribute('data-y')),
		size: Number(await box.getAttribute('data-width'))
	};
	await maker.getByRole('button', { name: 'Save seal' }).click();
	await expect(page.getByTestId('seal-notice')).toHaveText('Seal 照片合同章 created.');

	const row = page.getByTestId('admin-seal').filter({ hasText: '照片合同章' });
	await expect(row.getByTestId('seal-kind')).toHaveText('From a photo');
	await expect(row).toContainText('42 × 42 mm');
	// Made from pixels, not from a spec: it cannot be regenerated.
	await expect(row.getByRole('button', { name: 'Edit' })).toHaveCount(0);
	const image = row.getByRole('img', { name: 'Seal 照片合同章' });
	await expect
		.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
		.toBe(crop.size);

	// The stored PNG: fetched as a signer's device would, decoded in Node.
	const sealId = (await row.getAttribute('data-seal-id'))!;
	const listed = (await (await page.request.get('/api/admin/seals')).json()) as {
		seals: { id: string; image: string; spec: unknown }[];
	};
	const stored = listed.seals.find((s) => s.id === sealId)!;
	expect(stored.spec).toBeNull();
	const response = await page.request.get(`/api/blobs/${stored.image}`);
	expect(response.headers()['content-type']).toBe('image/png');
	const { data, info } = await sharp(await response.body())
		.raw()
		.toBuffer({ resolveWithObject: true });
	expect(info).toMatchObject({ width: crop.size, height: crop.size, channels: 4 });
	const pixel = (x: number, y: number) => {
		const i = ((y - crop.y) * info.width + (x - crop.x)) * 4;
		return [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
	};
	// Every pixel of paper, grain, shadow and black print (more than a JPEG block away from any
	// ink) is fully transparent.
	let paper = 0;
	for (let y = crop.y; y < crop.y + crop.size; y++) {
		for (let x = crop.x; x < crop.x + crop.size; x++) {
			const d = Math.hypot(x - CENTRE.x, y - CENTRE.y);
			if (d < RING.outer + 16) continue;
			paper++;
			if (pixel(x, y)[3] !== 0) throw new Error(`paper pixel ${x},${y} is ${pixel(x, y)}`);
		}
	}
	expect(paper).toBeGreaterThan(40_000);
	// So is the paper between the ring and the star.
	for (const [x, y] of [
		[CENTRE.x - 150, CENTRE.y + 100],
		[CENTRE.x + 120, CENTRE.y + 150],
		[CENTRE.x - 100, CENTRE.y + 180]
	])
		expect(pixel(x!, y!)[3]).toBe(0);
	// The ink is the seal red and opaque all round the ring and in the star.
	const middle = (RING.inner + RING.outer) / 2;
	for (let k = 0; k < 16; k++) {
		const angle = (k / 16) * 2 * Math.PI;
		const x = Math.round(CENTRE.x + middle * Math.cos(angle));
		const y = Math.round(CENTRE.y + middle * Math.sin(angle));
		expect(pixel(x, y)).toEqual([INK.r, INK.g, INK.b, 255]);
	}
	expect(pixel(CENTRE.x, CENTRE.y)).toEqual([INK.r, INK.g, INK.b, 255]);

	// Authorised, listed in the signing kit, disabled: like any seal, each step audited.
	await row.getByLabel('User to authorise for 照片合同章').selectOption({ label: 'Administrator' });
	await row.getByRole('button', { name: 'Authorise' }).click();
	await expect(row.getByTestId('seal-users')).toContainText('Administrator');
	const kit = (await (await page.request.get('/api/me/seals')).json()) as {
		seals: { id: string; image: string; sizeMm: { width: number; height: number } }[];
	};
	expect(kit.seals).toContainEqual(
		expect.objectContaining({
			id: sealId,
			image: stored.image,
			sizeMm: { width: 42, height: 42 }
		})
	);
	await row.getByRole('button', { name: 'Disable' }).click();
	await expect(row.getByTestId('seal-status')).toHaveText('Disabled');
	const after = (await (await page.request.get('/api/me/seals')).json()) as {
		seals: { id: string }[];
	};
	expect(after.seals.map((s) => s.id)).not.toContain(sealId);
	const audit = (await (
		await page.request.get(`/api/admin/audit?subject=${encodeURIComponent(sealId)}`)
	).json()) as { entries: { kind: string }[] };
	expect(audit.entries.map((e) => e.kind)).toEqual([
		'seal.disabled',
		'seal.authorised',
		'seal.created'
	]);
	await context.close();
});

test('a non-image, an oversize and a truncated file are refused with their messages and nothing is created', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const maker = await openSeals(page);
	const before = await sealCount(page);
	const uploads: string[] = [];
	page.on('request', (request) => {
		if (request.url().includes('/api/admin/seals/photo')) uploads.push(request.url());
	});
	const file = maker.getByTestId('photo-file');
	const message = maker.getByTestId('photo-file-error');

	// Named .png, but its bytes are a PDF.
	await file.setInputFiles({
		name: 'seal.png',
		mimeType: 'image/png',
		buffer: Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n')
	});
	await expect(message).toHaveText('This file is not a JPG or PNG image.');
	await expect(maker.getByTestId('crop-box')).toHaveCount(0);

	// A real PNG signature, but over 5 MB: refused by its size before it is read.
	const big = Buffer.alloc(5 * 1024 * 1024 + 1);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(big);
	await file.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: big });
	await expect(message).toHaveText('The file is larger than 5 MB. Choose a smaller photo or scan.');
	await expect(maker.getByTestId('crop-box')).toHaveCount(0);

	// A JPEG cut off half way: the right magic bytes, but it cannot be read.
	const photo = await stampPhoto();
	await file.setInputFiles({
		name: 'cut.jpg',
		mimeType: 'image/jpeg',
		buffer: photo.subarray(0, photo.length >> 1)
	});
	await expect(message).toHaveText('The image could not be read: it may be damaged or incomplete.');
	await expect(maker.getByTestId('crop-box')).toHaveCount(0);

	// Saving without a usable photo asks for one and sends nothing.
	await maker.getByLabel('Seal name (shown to signers)').fill('不该创建');
	await maker.getByRole('button', { name: 'Save seal' }).click();
	await expect(message).toHaveText('Choose a photo first.');
	expect(uploads).toEqual([]);
	expect(await sealCount(page)).toBe(before);
	await expect(page.getByTestId('admin-seal').filter({ hasText: '不该创建' })).toHaveCount(0);

	// The server refuses what the page would not have sent, by the bytes.
	const direct = await page.request.post(
		'/api/admin/seals/photo?name=x&shape=round&widthMm=42&heightMm=42',
		{
			headers: { 'Content-Type': 'image/png', Origin: new URL(freshServer.url).origin },
			data: photo
		}
	);
	expect(direct.status()).toBe(422);
	expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('IMAGE_INVALID');
	expect(await sealCount(page)).toBe(before);
	await context.close();
});
