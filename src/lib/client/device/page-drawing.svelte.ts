import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { PageSize } from '$lib/domain/envelope';
import { pagesToRender } from '$lib/domain/page-geometry';
import type { ContractLoad } from './contract-view.svelte';
import { firstScreen, type FirstScreenGate } from './first-screen';
import { LazyPageRenderer } from '../pdf-viewer';

/** What the drawing needs of the screen, read inside its effects. */
export interface DrawingHost {
	load: () => ContractLoad;
	pages: () => readonly PageSize[];
	/** CSS pixels per PDF point the pages are drawn at. */
	scale: () => number;
	/** The CSS width of the page list; 0 until it is laid out. */
	width: () => number;
}

/** The part of LazyPageRenderer the drawing uses. */
export type PageRenderer = Pick<LazyPageRenderer, 'render' | 'cancel' | 'cancelAll'>;

export interface DrawingDeps {
	renderer: (doc: PDFDocumentProxy) => PageRenderer;
	gate: FirstScreenGate;
}

// A long contract lays out the frames of its first pages only, until page 1 is drawn, because
// laid out first they hold page 1 back (docs/perf.md).
const FIRST_FRAMES = 3;
const NO_PAGES: ReadonlySet<number> = new Set();

/**
 * Lazy drawing of the signer's contract pages. An IntersectionObserver keeps the set of visible
 * pages; an effect draws visible ± 1 and cancels and clears every other page, so a long contract
 * never holds more than a few bitmaps. Also owns the first-screen order: only the first frames
 * are laid out until page 1 is drawn, and the app's start-up work (first-screen.ts) is held
 * until then.
 *
 * Made during the page's initialisation: its effects belong to the page, in the order they are
 * created here.
 */
export class PageDrawing {
	/** Pages in (or near) the viewport, kept by the observer. */
	readonly visible = new SvelteSet<number>();
	/** Page → the scale it is on screen at; a page missing here is not drawn (yet). */
	painted = $state<Record<number, number>>({});
	/** Page n's canvas at n - 1, bound by the screen. */
	readonly canvases: HTMLCanvasElement[] = [];
	/** False while only the first frames are laid out. */
	allFrames = $state(false);
	/** The page sizes whose frames are laid out now. */
	readonly framePages: readonly PageSize[];
	/** True once page 1 is on screen, or the contract cannot show it: what waits for it may go. */
	firstScreenShown = $state(false);

	#renderer: PageRenderer | null = null;
	#rendererReady = $state(0);
	/** Page → the scale it is drawn (or being drawn) at; plain, so the effect does not track it. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately untracked bookkeeping
	readonly #requested = new Map<number, number>();
	readonly #observer: IntersectionObserver | null;

	readonly #makeRenderer: (doc: PDFDocumentProxy) => PageRenderer;
	readonly #releaseFirstScreen: () => void;

	constructor(
		private readonly host: DrawingHost,
		deps: DrawingDeps = { renderer: (doc) => new LazyPageRenderer(doc), gate: firstScreen }
	) {
		this.framePages = $derived(this.allFrames ? host.pages() : host.pages().slice(0, FIRST_FRAMES));
		this.#makeRenderer = deps.renderer;

		// One observer for all pages; each page frame registers itself as it mounts.
		this.#observer =
			typeof IntersectionObserver === 'undefined'
				? null
				: new IntersectionObserver(
						(entries) => {
							for (const entry of entries) {
								const n = Number((entry.target as HTMLElement).dataset.page);
								if (entry.isIntersecting) this.visible.add(n);
								else this.visible.delete(n);
							}
						},
						// A little ahead of the viewport, so a page is usually ready as it scrolls in.
						{ rootMargin: '200px 0px' }
					);
		$effect(() => () => this.#observer?.disconnect());

		// The renderer lives as long as the opened document; a new document (a new revision) gets
		// a new one, and nothing requested of the old one survives.
		$effect(() => {
			const load = host.load();
			if (load.state !== 'ready') return;
			return this.attach(load.doc);
		});

		$effect(() => {
			void this.#rendererReady; // re-run when a new renderer is made
			// Until the list has a width, the fitted scale is not known: drawing then would be wasted.
			const want = host.width() > 0 ? pagesToRender(this.visible, host.pages().length) : NO_PAGES;
			const s = host.scale();
			untrack(() => this.draw(want, s));
		});

		$effect(() => this.layOutFrames());

		// The app's start-up work (service worker registration, the first sync) waits until page 1
		// is on screen, or cannot be (first-screen.ts); leaving the page lets it go too.
		this.#releaseFirstScreen = deps.gate.hold();
		$effect(() => this.settleFirstScreen());
		$effect(() => this.#releaseFirstScreen);
	}

	/**
	 * Takes a newly opened document: a new renderer, nothing drawn yet; returns the cleanup that
	 * cancels everything asked of it. Run by an effect, as are the methods below.
	 */
	attach(doc: PDFDocumentProxy): () => void {
		const current = this.#makeRenderer(doc);
		this.#renderer = current;
		this.#requested.clear();
		this.painted = {};
		untrack(() => this.#rendererReady++);
		return () => {
			current.cancelAll();
			if (this.#renderer === current) this.#renderer = null;
		};
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

	/**
	 * Draws the pages in `want` at scale `s` (a page already drawn or being drawn at `s` is left
	 * alone) and cancels and frees every other page asked for earlier.
	 */
	draw(want: ReadonlySet<number>, s: number): void {
		const r = this.#renderer;
		if (!r) return;
		for (const [n] of this.#requested) {
			if (want.has(n)) continue;
			r.cancel(n);
			this.#requested.delete(n);
			const canvas = this.canvases[n - 1];
			// Zero size frees the bitmap: a long contract never holds more than a few pages.
			if (canvas) canvas.width = canvas.height = 0;
			delete this.painted[n];
		}
		for (const n of want) {
			const canvas = this.canvases[n - 1];
			if (!canvas || this.#requested.get(n) === s) continue;
			this.#requested.set(n, s);
			r.render(n, canvas, s).then(
				(done) => {
					if (done && this.#requested.get(n) === s) this.painted[n] = s;
				},
				() => this.#requested.delete(n)
			);
		}
	}

	/** Lays out every frame now; false when they already were. */
	showAllFrames(): boolean {
		if (this.allFrames) return false;
		this.allFrames = true;
		return true;
	}

	/** The action each page frame registers with; `data-page` names its page. */
	readonly observe = (node: HTMLElement) => {
		this.#observer?.observe(node);
		return {
			destroy: () => {
				this.#observer?.unobserve(node);
				this.visible.delete(Number(node.dataset.page));
			}
		};
	};
}
