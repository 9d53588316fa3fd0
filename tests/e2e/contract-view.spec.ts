import type { Locator } from '@playwright/test';
import { test, expect } from './support/fixtures';
import {
	downloadContract,
	downloadDemo,
	draftContract,
	enrolAdmin,
	openInbox,
	openOfflineTab,
	sendForTwoSignatures
} from './support/flows';

test.use({ locale: 'en-US' });

/**
 * Ink pixels (text, anti-aliased at phone scale) in a page's canvas, read back from the bitmap
 * pdf.js painted: a blank or failed page has none.
 */
async function darkPixels(pageFrame: Locator): Promise<number> {
	return pageFrame.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
		if (!canvas.width || !canvas.height) return 0;
		const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
		let dark = 0;
		for (let i = 0; i < data.length; i += 4) {
			if (data[i + 3]! > 200 && data[i]! + data[i + 1]! + data[i + 2]! < 480) dark++;
		}
		return dark;
	});
}

test('a downloaded contract opens offline: pages drawn lazily, CJK text, the next-field bar', async ({
	freshServer,
	browser
}) => {
	// A phone-sized screen: the view must work at 360 px.
	const context = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		viewport: { width: 360, height: 740 }
	});
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await downloadDemo(page);
	const card = page.getByTestId('envelope-card');
	await expect(card.getByRole('link', { name: 'View' })).toHaveAttribute(
		'href',
		`/inbox/${demo.id}`
	);

	const pdfjsWarnings: string[] = [];
	const offline = await openOfflineTab(context, `/inbox/${demo.id}`);
	offline.on('console', (message) => {
		if (/warning|error/i.test(message.text())) pdfjsWarnings.push(message.text());
	});
	try {
		await expect(offline.getByRole('heading', { level: 1 })).toHaveText(demo.title);
		const pages = offline.getByTestId('pdf-page');
		await expect(pages).toHaveCount(3);

		// Page 1: drawn from the device copy, with text on it (dark pixels on white).
		await expect(pages.nth(0)).toHaveAttribute('data-rendered', 'true');
		expect(await darkPixels(pages.nth(0))).toBeGreaterThan(2000);
		// Opened by /contract-boot.js (from the service worker's precache) before the app started,
		// and that document is the one the view drew: pdf.js was asked to open it only once.
		expect(
			await offline.evaluate(() => ({
				boot: performance.getEntriesByName('sealpass:boot-open').length,
				app: performance.getEntriesByName('sealpass:bytes').length
			}))
		).toEqual({ boot: 1, app: 0 });
		// The app's start-up work (service worker registration, first sync) waited for page 1 (Y10).
		const order = await offline.evaluate(() => ({
			page1: performance.getEntriesByName('sealpass:page-1')[0]?.startTime ?? null,
			startup: performance.getEntriesByName('sealpass:startup-work')[0]?.startTime ?? null
		}));
		expect(order.page1).not.toBeNull();
		expect(order.startup).not.toBeNull();
		expect(order.startup!).toBeGreaterThanOrEqual(order.page1!);

		// CMaps come from the service worker's precache with the network off.
		const cmap = await offline.evaluate(async () => {
			const response = await fetch('/generated/pdfjs/cmaps/UniGB-UCS2-H.bcmap');
			return { ok: response.ok, size: (await response.arrayBuffer()).byteLength };
		});
		expect(cmap.ok).toBe(true);
		expect(cmap.size).toBeGreaterThan(0);

		// The next-field bar walks the admin's two fields; Next brings page 3 into view.
		const position = offline.getByTestId('field-position');
		await expect(position).toHaveText('Field 1 of 2: Signature, page 3');
		await expect(offline.getByRole('button', { name: 'Previous' })).toBeDisabled();
		await offline.getByRole('button', { name: 'Next' }).click();
		await expect(position).toHaveText('Field 2 of 2: Seal, page 3');
		const page3 = pages.nth(2);
		await expect(page3).toBeInViewport();
		await expect(page3).toHaveAttribute('data-rendered', 'true');
		expect(await darkPixels(page3)).toBeGreaterThan(500);

		// Overlays for both fields, labelled, the current one marked, inside page 3's box.
		const seal = offline.getByRole('button', { name: 'Seal field, page 3' });
		const signature = offline.getByRole('button', { name: 'Signature field, page 3' });
		await expect(seal).toHaveAttribute('aria-current', 'step');
		await expect(signature).not.toHaveAttribute('aria-current', /.+/);
		// Measured in one go, relative to the page: the view may still be scrolling smoothly, and
		// two boundingBox() calls a frame apart would compare positions from different moments.
		const geometry = await page3.evaluate((pageEl) => {
			const p = pageEl.getBoundingClientRect();
			const rel = (label: string) => {
				const r = pageEl.querySelector(`[aria-label="${label}"]`)!.getBoundingClientRect();
				return { x: r.x - p.x, y: r.y - p.y, width: r.width, height: r.height };
			};
			return {
				width: p.width,
				height: p.height,
				boxes: [rel('Seal field, page 3'), rel('Signature field, page 3')]
			};
		});
		for (const box of geometry.boxes) {
			expect(box.x).toBeGreaterThanOrEqual(0);
			expect(box.y).toBeGreaterThanOrEqual(0);
			expect(box.x + box.width).toBeLessThanOrEqual(geometry.width + 0.5);
			expect(box.y + box.height).toBeLessThanOrEqual(geometry.height + 0.5);
			// Fields sit in the lower part of the page: y is measured from the bottom in PDF points.
			expect(box.y).toBeGreaterThan(geometry.height / 2);
		}
		const pageBox = (await page3.boundingBox())!;

		// Zoom: buttons change the drawn size; fit width brings it back to the screen.
		const before = pageBox.width;
		await offline.getByRole('button', { name: 'Zoom in' }).click();
		await expect.poll(async () => (await page3.boundingBox())!.width).toBeGreaterThan(before);
		await offline.getByRole('button', { name: 'Fit width' }).click();
		await expect.poll(async () => (await page3.boundingBox())!.width).toBeCloseTo(before, 0);

		// The last page scrolled into view (as the browser, a link or the keyboard does) ends above
		// the sticky field bar, not under it: the bottom of the last page is where one signs.
		await page3.evaluate((el) => el.scrollIntoView({ block: 'end' }));
		await expect
			.poll(() =>
				offline.evaluate(() => {
					const frames = document.querySelectorAll('[data-testid="pdf-page"]');
					const last = frames[frames.length - 1]!.getBoundingClientRect();
					const bar = document.querySelector('[data-testid="field-nav"]')!.getBoundingClientRect();
					return last.bottom <= bar.top + 1 && last.bottom > 0;
				})
			)
			.toBe(true);

		// pdf.js found every CMap, font and decoder it needed (it warns when one fails to load).
		expect(pdfjsWarnings).toEqual([]);

		// The shell the service worker answered with holds its module preloads for the boot script,
		// which released them: this screen had never shown a contract, so it drew no page 1.
		const preloads = (tab: typeof offline) =>
			tab.evaluate(() => ({
				active: document.querySelectorAll('link[rel="modulepreload"]').length,
				held: document.querySelectorAll('link[data-held-modulepreload]').length,
				bootPage: performance.getEntriesByName('sealpass:boot-page').length
			}));
		expect(await preloads(offline)).toMatchObject({ active: expect.any(Number), held: 0 });
		expect((await preloads(offline)).active).toBeGreaterThan(10);
		// Opened again offline: page 1 is drawn by the boot script, and the app's modules wait.
		const again = await context.newPage();
		// The modules preloaded when the boot's page 1 appears (the app adds its own later).
		await again.addInitScript(() => {
			new MutationObserver((_, observer) => {
				if (!document.querySelector('[data-boot-page][data-rendered="true"]')) return;
				const active = document.querySelectorAll('link[rel="modulepreload"]').length;
				Object.assign(window, { preloadsAtBootPage: active });
				observer.disconnect();
			}).observe(document, { subtree: true, childList: true, attributes: true });
		});
		await again.goto(`/inbox/${demo.id}`);
		await expect(again.getByTestId('pdf-page').first()).toHaveAttribute('data-rendered', 'true');
		const held = await preloads(again);
		expect(held.bootPage).toBe(1);
		expect(held.held).toBeGreaterThan(10);
		expect(
			await again.evaluate(
				() => (window as unknown as { preloadsAtBootPage?: number }).preloadsAtBootPage
			)
		).toBe(0);
		expect(await darkPixels(again.getByTestId('pdf-page').first())).toBeGreaterThan(2000);
		await again.close();
	} finally {
		await context.setOffline(false);
		await offline.close();
	}
	await context.close();
});

test('a contract not on the device says so offline, and downloads by itself once online', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await openInbox(page);
	// Offline: the device lists it but holds no copy, and says what it needs.
	const offline = await openOfflineTab(context, `/inbox/${demo.id}`);
	await expect(offline.getByTestId('view-not-downloaded')).toBeVisible();
	await expect(offline.getByText('You are offline.', { exact: false })).toBeVisible();
	// Back online, nobody has to press anything: the signer opened it to read it.
	await context.setOffline(false);
	await expect(offline.getByTestId('pdf-page').first()).toHaveAttribute('data-rendered', 'true', {
		timeout: 30_000
	});
	await context.close();
});

/** A box in the document's CSS pixels. */
type Box = { top: number; left: number; width: number; height: number };

/** What the page saw of page 1 as it opened: the boot script's drawing, then the view's. */
interface FirstPageSeen {
	boot?: Box;
	/** The view's page frames when the boot's drawing appeared. */
	appPagesThen?: number;
	hidden?: string | null;
	view?: Box;
}

test('on a phone, a long title: page 1 stays drawn and in place when the signing tools mount above it, and opened again is drawn before the app in that place', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		viewport: { width: 360, height: 740 }
	});
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	// A header lines longer than the demo's: page 1 starts lower, and a shift of the tools' height
	// once took it past the drawing look-ahead, so it was drawn and at once freed (blank).
	const title =
		'办公场地租赁及物业服务合同补充协议（含停车位、装修与续租条款） Supplementary agreement to the office lease, parking and renewal terms';
	const id = await draftContract(page, freshServer.url, title);
	await sendForTwoSignatures(page, freshServer.url, id);
	await downloadContract(page, title);

	// Where page 1 is on screen when it is first drawn (the tools still loading) and when the
	// tools have mounted: recorded in the page as it happens, since the tools follow page 1 at once.
	await page.addInitScript(() => {
		const seen: { drawn?: number; tools?: number } = {};
		Object.assign(window, { page1Tops: seen });
		const page1 = () => document.querySelector('[data-testid="pdf-page"][data-page="1"]');
		new MutationObserver(() => {
			const frame = page1();
			if (seen.drawn === undefined && frame?.getAttribute('data-rendered') === 'true') {
				seen.drawn = frame.getBoundingClientRect().top;
			}
			if (seen.tools === undefined && document.querySelector('[data-testid="marking-tools"]')) {
				seen.tools = NaN;
				// As painted: after the frame's layout and resize observers, once it is on screen.
				requestAnimationFrame(() =>
					setTimeout(() => (seen.tools = page1()?.getBoundingClientRect().top))
				);
			}
		}).observe(document, { subtree: true, childList: true, attributes: true });
	});
	await page.goto(`/inbox/${id}`);
	const heading = page.getByRole('heading', { level: 1 });
	await expect(heading).toHaveText(title);
	// The title wraps to several lines at 360 px.
	expect(
		await heading.evaluate((h) => h.clientHeight / parseFloat(getComputedStyle(h).lineHeight))
	).toBeGreaterThanOrEqual(3);

	const page1 = page.getByTestId('pdf-page').first();
	await expect(page1).toHaveAttribute('data-rendered', 'true');
	await expect(page.getByTestId('marking-tools')).toBeVisible();
	// Two frames after the tools mounted and their content was read: the page stack's observers
	// have reported by then.
	await expect(page.getByTestId('marking-tools').getByRole('heading').first()).toBeVisible();
	await page.evaluate(
		() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
	);
	const tops = await page.evaluate(() => ({
		...(window as unknown as { page1Tops: { drawn?: number; tools?: number } }).page1Tops,
		now: document.querySelector('[data-testid="pdf-page"][data-page="1"]')!.getBoundingClientRect()
			.top
	}));
	expect(tops.drawn).toBeDefined();
	expect(tops.tools).toEqual(expect.any(Number));
	// Page 1 barely moves on screen as the tools take their loading line's place above it.
	expect(Math.abs(tops.tools! - tops.drawn!)).toBeLessThanOrEqual(3);
	expect(Math.abs(tops.now - tops.drawn!)).toBeLessThanOrEqual(3);
	// And it is still drawn: not freed and blanked.
	await expect(page1).toHaveAttribute('data-rendered', 'true');
	expect(await darkPixels(page1)).toBeGreaterThan(2000);

	// Opened again: the boot script draws page 1 before the app has started, where the view showed
	// it, and the view takes that drawing over instead of asking pdf.js for page 1 again.
	await page.addInitScript(() => {
		const seen: FirstPageSeen = {};
		Object.assign(window, { firstPageSeen: seen });
		const box = (el: Element): Box => {
			const r = el.getBoundingClientRect();
			// In the document, whatever the scroll position.
			return { top: r.top + scrollY, left: r.left + scrollX, width: r.width, height: r.height };
		};
		new MutationObserver(() => {
			const boot = document.querySelector('[data-boot-page][data-rendered="true"]');
			if (boot && !seen.boot) {
				seen.boot = box(boot);
				seen.hidden = boot.getAttribute('aria-hidden');
				seen.appPagesThen = document.querySelectorAll('[data-testid="pdf-page"]').length;
			}
			const frame = document.querySelector(
				'[data-testid="pdf-page"][data-page="1"][data-rendered="true"]'
			);
			if (frame && !seen.view) {
				seen.view = box(frame);
			}
		}).observe(document, { subtree: true, childList: true, attributes: true });
	});
	// Not on a reload: the app restores the scroll position, which would move the boot's page.
	await page.reload();
	await expect(page1).toHaveAttribute('data-rendered', 'true');
	expect(
		await page.evaluate(() => ({
			bootPage: performance.getEntriesByName('sealpass:boot-page').length,
			seen: !!(window as unknown as { firstPageSeen: FirstPageSeen }).firstPageSeen.boot
		}))
	).toEqual({ bootPage: 0, seen: false });
	// Opened from a link (a notice, the home screen): the boot script draws it.
	await page.goto('/inbox');
	await page.goto(`/inbox/${id}`);
	await expect(page1).toHaveAttribute('data-rendered', 'true');
	await expect(page.locator('[data-boot-page]')).toHaveCount(0);
	const seen = await page.evaluate(() => ({
		...(window as unknown as { firstPageSeen: FirstPageSeen }).firstPageSeen,
		adopted: performance.getEntriesByName('sealpass:page-1-adopted').length,
		bootPage: performance.getEntriesByName('sealpass:boot-page').length
	}));
	const { boot, view } = seen;
	expect(boot).toBeDefined();
	expect(seen.hidden).toBe('true');
	// Before the app: none of the view's page frames existed yet.
	expect(seen.appPagesThen).toBe(0);
	expect(seen.bootPage).toBe(1);
	expect(seen.adopted).toBe(1);
	// The view's page 1 is where the boot's drawing was, at the same size.
	for (const side of ['top', 'left', 'width', 'height'] as const) {
		expect(Math.abs(view![side] - boot![side])).toBeLessThanOrEqual(1);
	}
	// One page 1 on the page, drawn (the bitmap taken over has the page's ink).
	await expect(page.locator('[data-testid="pdf-page"][data-page="1"]')).toHaveCount(1);
	expect(await darkPixels(page1)).toBeGreaterThan(2000);

	// A contract's page preloads none of the app's modules, which would be compiled beside pdf.js;
	// the inbox preloads them as every other page does.
	const preloads = async (path: string) =>
		((await page.request.get(path)).headers()['link'] ?? '').split('rel="modulepreload"').length -
		1;
	expect(await preloads(`/inbox/${id}`)).toBe(0);
	expect(await preloads('/inbox')).toBeGreaterThan(10);
	await context.close();
});
