/**
 * An action that keeps what follows an element where it is on screen while the element changes
 * size: content that mounts late above a page list (the signing tools, loaded after page 1 is
 * drawn, then their seals read from the device) would otherwise push the pages down under the
 * reader's eyes, and past the drawing look-ahead. The browser's own scroll anchoring does not
 * cover it: at the top of the document it does not scroll, and page 1 moved 455 px on a phone.
 *
 * When the element is resized (after layout, before the browser paints) while its bottom edge
 * was on screen, the window scrolls by as much as it grew or shrank. Read from the resize alone,
 * not from the edge remembered across scroll events: a scroll handler reading the layout after
 * the content grew (and before the resize was reported) hid a growth of 126 px. Give the element
 * `display: flow-root`, so its children's margins are inside its edge.
 */
export function holdOnScreen(node: HTMLElement) {
	let height = node.offsetHeight;
	const resized = new ResizeObserver(() => {
		const grew = node.offsetHeight - height;
		height = node.offsetHeight;
		const before = node.getBoundingClientRect().bottom - grew;
		// Only what the reader sees is held: content still below the screen may move, and above it
		// the browser's scroll anchoring already holds what is on screen.
		if (grew !== 0 && before >= 0 && before < window.innerHeight) {
			window.scrollBy({ top: grew, behavior: 'instant' });
		}
	});
	resized.observe(node);
	return { destroy: () => resized.disconnect() };
}
