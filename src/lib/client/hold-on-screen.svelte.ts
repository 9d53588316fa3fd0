import { untrack } from 'svelte';

/**
 * Keeps what follows an element where it is on screen while that element changes size: content
 * that mounts late above a page list (the signing tools, loaded after page 1 is drawn) would
 * otherwise push the pages down under the reader's eyes. The browser's scroll anchoring does not
 * cover it: at the top of the document it does not scroll, and page 1 moved 455 px on a phone.
 *
 * Before the DOM update that `change` tracks, the element's bottom edge is measured; after it,
 * the window scrolls by how far that edge moved, as long as what follows it was on screen.
 * Measured on screen rather than summed up from heights, so a shift the browser already
 * compensated is not compensated twice.
 *
 * Made during a component's initialisation, before its markup: its effects belong to it.
 */
export function holdOnScreen(element: () => HTMLElement | undefined, change: () => unknown): void {
	let before: number | null = null;
	$effect.pre(() => {
		change();
		untrack(() => {
			const edge = element()?.getBoundingClientRect().bottom;
			// Only what the reader sees is held: content still below the screen may move.
			before = edge !== undefined && edge < window.innerHeight ? edge : null;
		});
	});
	$effect(() => {
		change();
		untrack(() => {
			const edge = element()?.getBoundingClientRect().bottom;
			if (before === null || edge === undefined) return;
			const shift = edge - before;
			before = null;
			if (Math.abs(shift) >= 1) window.scrollBy({ top: shift, behavior: 'instant' });
		});
	});
}
