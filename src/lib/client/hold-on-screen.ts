/**
 * An action that keeps what follows an element where it is on screen while the element changes
 * size: content that mounts late above a page list (the signing tools, loaded after page 1 is
 * drawn, then their seals and notes read from the device) would otherwise push the pages down
 * under the reader's eyes, and past the drawing look-ahead. The browser's own scroll anchoring
 * does not cover it: at the top of the document it does not scroll, and page 1 moved 455 px on a
 * phone.
 *
 * The element's bottom edge on screen is remembered (and kept up to date as the reader scrolls);
 * when the element is resized (after layout, before the browser paints) and that edge moved, the
 * window scrolls by as much, if what follows the element was on screen. Measured on screen rather
 * than from heights, so a shift the browser already compensated is not compensated twice. Give
 * the element `display: flow-root`, so its children's margins are inside its edge.
 */
export function holdOnScreen(node: HTMLElement) {
	let edge = node.getBoundingClientRect().bottom;
	let height = node.offsetHeight;
	const remember = () => (edge = node.getBoundingClientRect().bottom);
	const resized = new ResizeObserver(() => {
		const moved = node.getBoundingClientRect().bottom - edge;
		const grew = node.offsetHeight !== height;
		height = node.offsetHeight;
		// Only what the reader sees is held, and only against this element's own changes (its
		// first report, or content above it, may move it too).
		if (grew && Math.abs(moved) >= 1 && edge < window.innerHeight) {
			window.scrollBy({ top: moved, behavior: 'instant' });
		}
		remember();
	});
	resized.observe(node);
	addEventListener('scroll', remember, { passive: true });
	addEventListener('resize', remember);
	return {
		destroy() {
			resized.disconnect();
			removeEventListener('scroll', remember);
			removeEventListener('resize', remember);
		}
	};
}
