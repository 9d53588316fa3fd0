import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { PageSize } from '$lib/domain/envelope';
import type { ContractLoad } from './contract-view.svelte';
import { firstScreen, type FirstScreenGate } from './first-screen';
import { lazyRenderer, PageStack, type PageRenderer } from '../page-stack.svelte';

export type { PageRenderer };

/** What the drawing needs of the screen, read inside its effects. */
export interface DrawingHost {
	load: () => ContractLoad;
	pages: () => readonly PageSize[];
	/** CSS pixels per PDF point the pages are drawn at. */
	scale: () => number;
	/** The CSS width of the page list; 0 until it is laid out. */
	width: () => number;
}

export interface DrawingDeps {
	renderer: (doc: PDFDocumentProxy) => PageRenderer;
	gate: FirstScreenGate;
}

// A long contract lays out the frames of its first pages only, until page 1 is drawn, because
// laid out first they hold page 1 back (docs/perf.md).
const FIRST_FRAMES = 3;

/**
 * The signer's contract pages: the shared lazy drawing (PageStack: near the screen ± 1, pages far
 * from it cancelled and freed) plus the first-screen order. Only the first frames are laid out until
 * page 1 is drawn, and the app's start-up work (first-screen.ts) is held until then.
 *
 * Made during the page's initialisation: its effects belong to the page, in the order they are
 * created here (the stack's first).
 */
export class PageDrawing extends PageStack {
	/** False while only the first frames are laid out. */
	allFrames = $state(false);
	/** The page sizes whose frames are laid out now. */
	readonly framePages: readonly PageSize[];
	/** True once page 1 is on screen, or the contract cannot show it: what waits for it may go. */
	firstScreenShown = $state(false);

	readonly #releaseFirstScreen: () => void;

	constructor(
		private readonly host: DrawingHost,
		deps: DrawingDeps = { renderer: lazyRenderer, gate: firstScreen }
	) {
		super(
			{
				doc: () => {
					const load = host.load();
					return load.state === 'ready' ? load.doc : null;
				},
				pageCount: () => host.pages().length,
				scale: host.scale,
				width: host.width
			},
			deps.renderer
		);
		this.framePages = $derived(this.allFrames ? host.pages() : host.pages().slice(0, FIRST_FRAMES));

		$effect(() => this.layOutFrames());

		// The app's start-up work (service worker registration, the first sync) waits until page 1
		// is on screen, or cannot be (first-screen.ts); leaving the page lets it go too.
		this.#releaseFirstScreen = deps.gate.hold();
		$effect(() => this.settleFirstScreen());
		$effect(() => this.#releaseFirstScreen);
	}

	/**
	 * Lays out the rest of the frames once page 1 is on screen, when drawing it fails, or after a
	 * second at most (and showAllFrames as soon as the signer asks for a field further on).
	 */
	layOutFrames(): (() => void) | undefined {
		if (this.allFrames) return;
		const load = this.host.load();
		if (load.state === 'failed') {
			this.allFrames = true;
			return;
		}
		if (this.painted[1] !== undefined) {
			// After the frame that shows page 1, not in the same update: laid out in the same
			// task, the other frames held page 1 off the screen for as long as they took.
			let timer: ReturnType<typeof setTimeout> | undefined;
			const frame = requestAnimationFrame(() => {
				timer = setTimeout(() => (this.allFrames = true));
			});
			return () => {
				cancelAnimationFrame(frame);
				clearTimeout(timer);
			};
		}
		if (load.state !== 'ready') return;
		const timer = setTimeout(() => (this.allFrames = true), 1000);
		return () => clearTimeout(timer);
	}

	/** Lets the start-up work go once page 1 is on screen, or the contract cannot show it. */
	settleFirstScreen(): void {
		if (this.painted[1] !== undefined) {
			// When page 1 was first on screen in this page load, for npm run bench and the tests.
			if (!performance.getEntriesByName('sealpass:page-1').length) {
				performance.mark('sealpass:page-1');
			}
			this.#releaseFirstScreen();
			this.firstScreenShown = true;
		} else if (['unknown', 'not-downloaded', 'failed'].includes(this.host.load().state)) {
			this.#releaseFirstScreen();
			this.firstScreenShown = true;
		}
	}

	/** Lays out every frame now; false when they already were. */
	showAllFrames(): boolean {
		if (this.allFrames) return false;
		this.allFrames = true;
		return true;
	}
}
