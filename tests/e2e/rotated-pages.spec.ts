import type { Locator, Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, expect } from './support/fixtures';
import { downloadContract, enrolAdmin } from './support/flows';
import { serveBundle } from './support/bundle';
import { sampleManifest } from '../../src/lib/domain/fixtures';
import type { Field } from '../../src/lib/domain/envelope';
import { sha256Hex, uprightSealPng } from '../support/images';
import { pagesPdf } from '../support/page-pdfs';
import { blue, countPixels, popplerPage, red } from '../support/renderers';

test.use({ locale: 'en-US' });

/*
 * PG1 in the browser: on a scanned landscape page (/Rotate 90), a field the admin draws at the
 * displayed upper-left corner is over that corner in the editor, over the same spot in the
 * signer's view, and the rendered PDF has the stamp there, upright.
 */

const TITLE = 'Rotated scan 扫描件';
// User space 600 × 400 turned 90°: displayed 400 wide, 600 tall. The green square sits at the
// user-space origin, which the turn brings to the displayed upper-left corner.
const GREEN_SQUARE = '0 0.75 0 rg 0 0 80 80 re f';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const isGreen = ([r, g, b]: number[]) => g! > 140 && r! < 100 && b! < 100;
const isWhite = ([r, g, b]: number[]) => r! > 240 && g! > 240 && b! > 240;

/** The colour pdf.js painted under the centre of `box` (an element over the page's canvas). */
async function colourUnder(box: Locator, canvas: Locator, at = { fx: 0.5, fy: 0.5 }) {
	const b = (await box.boundingBox())!;
	const c = (await canvas.boundingBox())!;
	return canvas.evaluate(
		(el: HTMLCanvasElement, p) => {
			const x = Math.floor((p.x / p.w) * el.width);
			const y = Math.floor((p.y / p.h) * el.height);
			return Array.from(el.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3));
		},
		{ x: b.x + b.width * at.fx - c.x, y: b.y + b.height * at.fy - c.y, w: c.width, h: c.height }
	);
}

/** Draws a field by dragging inside page `n` of the editor, between fractions of the page. */
async function drag(page: Page, n: number, from: [number, number], to: [number, number]) {
	const layer = page.locator(`[data-testid="page-layer"][data-page="${n}"]`);
	// The starting point in mid-viewport, clear of the sticky toolbar.
	await layer.evaluate((el, fy) => {
		const r = el.getBoundingClientRect();
		window.scrollBy(0, r.top + r.height * fy - innerHeight / 2);
	}, from[1]);
	const box = (await layer.boundingBox())!;
	await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
	await page.mouse.up();
}

test('PG1: a field placed on a turned page is where the signer sees it and where the rendered PDF stamps it', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(180_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);

	const original = pagesPdf([
		{ media: [0, 0, 595, 842], content: '0 0 0 rg 72 760 200 20 re f' },
		{ media: [0, 0, 600, 400], rotate: 90, content: GREEN_SQUARE }
	]);
	await page.getByRole('link', { name: 'New contract' }).click();
	await page.getByLabel('Title').fill(TITLE);
	await page.getByTestId('party').nth(0).getByLabel('Party name').fill('示例科技有限公司');
	await page.getByLabel('PDF document').setInputFiles({
		name: 'scan.pdf',
		mimeType: 'application/pdf',
		buffer: Buffer.from(original)
	});
	await page.getByRole('button', { name: 'Upload and place fields' }).click();
	await expect(page).toHaveURL(/\/admin\/contracts\/[\w-]+\/edit$/);
	const id = /contracts\/([\w-]+)\/edit/.exec(page.url())![1]!;

	// The editor lays page 2 out as displayed: 400 wide, 600 tall.
	const layer2 = page.locator('[data-testid="page-layer"][data-page="2"]');
	await expect(layer2).toBeVisible();
	const laid = (await layer2.boundingBox())!;
	expect(laid.height / laid.width).toBeCloseTo(600 / 400, 2);

	// A seal field drawn over the displayed upper-left corner (inside the green square).
	await page.getByRole('button', { name: 'Seal', exact: true }).click();
	await drag(page, 2, [0.02, 0.015], [0.17, 0.115]);
	const field = page.locator('[data-testid="field"][data-kind="seal"]');
	await expect(field).toHaveCount(1);
	const [x, y, width, height] = (await field.getAttribute('data-rect'))!.split(',').map(Number);
	// Displayed-page coordinates: near the left edge and the top of a 600 pt tall page.
	expect(x!).toBeLessThan(20);
	expect(y! + height!).toBeGreaterThan(580);
	expect(width! + height!).toBeGreaterThan(60);

	// What pdf.js drew under the field in the editor is the green corner; mid-page is white.
	const editorCanvas = page.locator('canvas[data-page="2"]');
	await expect.poll(async () => isGreen(await colourUnder(field, editorCanvas))).toBe(true);
	expect(isWhite(await colourUnder(layer2, editorCanvas))).toBe(true);

	await page.getByRole('button', { name: 'Save fields' }).click();
	await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
	await page.getByRole('link', { name: 'Back to the contract' }).click();
	await page.getByRole('button', { name: 'Send for signing' }).click();
	await expect(page.getByTestId('contract-status')).toHaveText('Out for signing');

	// The signer's view (the admin signs for the organisation), from the device copy.
	await downloadContract(page, TITLE);
	await page.goto(`/inbox/${id}`);
	const frame = page.locator('[data-testid="pdf-page"][data-page="2"]');
	await frame.scrollIntoViewIfNeeded();
	await expect(frame).toHaveAttribute('data-rendered', 'true');
	const framed = (await frame.boundingBox())!;
	expect(framed.height / framed.width).toBeCloseTo(600 / 400, 2);
	const stored = (await (await page.request.get(`/api/admin/contracts/${id}`)).json()) as {
		contract: { fields: Field[] };
	};
	const sealField = stored.contract.fields.find((f) => f.kind === 'seal')!;
	const overlay = frame.locator(`[data-testid="field-overlay"][data-field="${sealField.id}"]`);
	const signerCanvas = frame.locator('canvas');
	expect(isGreen(await colourUnder(overlay, signerCanvas))).toBe(true);
	// The overlay sits at the same place of the page as in the editor.
	const o = (await overlay.boundingBox())!;
	expect((o.x - framed.x) / framed.width).toBeCloseTo(x! / 400, 2);
	expect((o.y - framed.y) / framed.height).toBeCloseTo((600 - y! - height!) / 600, 2);

	// The rendered PDF (render() as the device and the server run it, here in Chromium) stamps
	// the seal where the field is, upright: red above blue, over the green corner.
	const { url: entry, files, entryFile } = await serveBundle(page, 'src/lib/pdf/render.ts');
	const seal = await uprightSealPng();
	const manifest = sampleManifest({
		fills: [
			{
				fieldId: sealField.id,
				page: 2,
				rect: sealField.rect,
				kind: 'seal',
				sealId: 'seal-contract',
				image: sha256Hex(seal),
				sizeMm: { width: 12, height: 12 }
			}
		],
		seals: [],
		ridingSeams: []
	});
	await page.goto('/__bundle/');
	const rendered = await page.evaluate(
		async ({ entry, original, seal, hash, manifest }) => {
			const { render } = await import(/* @vite-ignore */ entry);
			const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
			const out: Uint8Array = await render(
				bytes(original),
				[manifest],
				new Map([[hash, bytes(seal)]])
			);
			let text = '';
			for (const b of out) text += String.fromCharCode(b);
			return btoa(text);
		},
		{ entry, original: b64(original), seal: b64(seal), hash: sha256Hex(seal), manifest }
	);
	const pdf = new Uint8Array(Buffer.from(rendered, 'base64'));
	const DPI = 72;
	const raster = popplerPage(pdf, 2, DPI);
	expect([raster.width, raster.height]).toEqual([400, 600]);
	const r = sealField.rect;
	const side = (12 * 72) / 25.4;
	const cx = r.x + r.width / 2;
	const cy = r.y + r.height / 2;
	const upper = { x: cx - side / 2 + 2, y: cy + 2, width: side - 4, height: side / 2 - 4 };
	const lower = { ...upper, y: cy - side / 2 + 2 };
	expect(countPixels(raster, DPI, upper, red)).toBeGreaterThan(upper.width * upper.height * 0.95);
	expect(countPixels(raster, DPI, lower, blue)).toBeGreaterThan(lower.width * lower.height * 0.95);
	expect(countPixels(raster, DPI, undefined, red)).toBeLessThan(side * side * 0.6);

	// And render() in Node writes the very same bytes (P1) for this turned page.
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-render-'));
	writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
	for (const [name, body] of files) {
		mkdirSync(dirname(join(dir, name)), { recursive: true });
		writeFileSync(join(dir, name), body);
	}
	const { render } = await import(pathToFileURL(join(dir, entryFile)).href);
	const inNode: Uint8Array = await render(original, [manifest], new Map([[sha256Hex(seal), seal]]));
	const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
	expect(digest(inNode)).toBe(digest(pdf));
	await context.close();
});
