import { test, expect } from './support/fixtures';
import { adminContext, downloadDemo } from './support/flows';

// 拖拽到骑缝位置则为骑缝章: a seal placed on a page and dragged with the mouse onto the page's right
// edge is previewed as a riding seam across every page while over the edge (SPEC RD3) and
// becomes one when released there (RD2); the riding-seam panel then holds it like any other.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

test('a free seal dragged onto the right edge previews the seam on every page and becomes a riding seam when dropped', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(240_000);
	const { context, page } = await adminContext(browser, freshServer, {
		viewport: { width: 1280, height: 900 }
	});
	const demo = await downloadDemo(page);
	await page.goto(`/inbox/${demo.id}`);
	const pages = page.getByTestId('pdf-page');
	await expect(pages).toHaveCount(3);
	await expect(page.getByTestId('marking-tools')).toBeVisible();

	await pages.nth(1).evaluate((el) => el.scrollIntoView({ block: 'center' }));
	await page.getByRole('button', { name: 'Add seal on page 2' }).click();
	const free = page.getByTestId('free-seal');
	await expect(free).toHaveCount(1);

	const seal = (await free.boundingBox())!;
	const target = (await pages.nth(1).boundingBox())!;
	const from = { x: seal.x + seal.width / 2, y: seal.y + seal.height / 2 };
	// The page's right edge, a little above the middle.
	const to = { x: target.x + target.width - 2, y: target.y + target.height * 0.4 };
	await page.mouse.move(from.x, from.y);
	await page.mouse.down();
	await page.mouse.move((from.x + to.x) / 2, from.y, { steps: 4 });
	// Not over the edge yet: no preview.
	await expect(page.getByTestId('seam-drop-preview')).toHaveCount(0);
	await page.mouse.move(to.x, to.y, { steps: 4 });
	// Over the edge: the seam is previewed on all three pages, a third of the seal on each.
	const preview = page.getByTestId('seam-drop-preview');
	await expect(preview).toHaveCount(3);
	await expect(preview.first()).toHaveAttribute('data-of', '3');
	await expect(page.getByTestId('seam-slice')).toHaveCount(0);
	await page.mouse.up();

	// Dropped: no free seal left, a riding seam over all pages, and the preview gone.
	await expect(free).toHaveCount(0);
	await expect(page.getByTestId('seam-drop-preview')).toHaveCount(0);
	const slices = page.getByTestId('seam-slice');
	await expect(slices).toHaveCount(3);
	for (let k = 0; k < 3; k++) {
		await expect(pages.nth(k).getByTestId('seam-slice')).toHaveAttribute('data-slice', String(k));
	}
	// The panel, the precise alternative, now holds it: all pages, right edge.
	const panel = page.getByTestId('seam-panel');
	await expect(panel.getByRole('radio', { name: 'All pages' })).toBeChecked();
	await context.close();
});
