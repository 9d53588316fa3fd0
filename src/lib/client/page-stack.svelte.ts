import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { pagesToFree, pagesToRender } from '$lib/domain/page-geometry';
import { LazyPageRenderer } from './pdf-viewer';

/** What the stack needs of the screen, read inside its effects. */
export interface PageStackHost {
	/** The opened document; null while it opens (or when it cannot be). */
	doc: () => PDFDocumentProxy | null;
	/** How many pages the document has. */
	pageCount: () => number;
	/** CSS pixels per PDF point the pages are drawn at. */
	scale: () => number;
	/** The CSS width of the page list; 0 until it is laid out. */
	width: () => number;
}

/** The part of LazyPageRenderer the stack uses. */
export type PageRenderer = Pick<LazyPageRenderer, 'render' | 'cancel' | 'cancelAll'>;

export type MakeRenderer = (doc: PDFDocumentProxy) => PageRenderer;

export const lazyRenderer: MakeRenderer = (doc) => new LazyPageRenderer(doc);

const NO_PAGES: ReadonlySet<number> = new Set();

/**
 * Lazy drawing of a PDF's pages, behind every page list of the app (PdfPageStack). Two
 * IntersectionObservers keep the pages near the viewport (drawn: ± 1 page) and the pages within
 * a screen and a half of it (kept); an effect draws the near ones and cancels and clears the
 * pages beyond the kept ones, so a 200-page contract never holds more than a few bitmaps while a
 * layout shift or a small scroll never blanks a page on screen.
 *
 * Made during a component's initialisation: its effects belong to that component, in the order
 * they are created here.
 */
export class PageStack {
	/** Pages in (or near) the viewport, kept by the observer: drawn. */
	readonly visible = new SvelteSet<number>();
	/** Pages within a screen and a half of the viewport: not freed once drawn. */
	readonly kept = new SvelteSet<number>();
	/** Page → the scale it is on screen at; a page missing here is not drawn (yet). */
	painted = $state<Record<number, number>>({});
	/** Page n's canvas at n - 1, bound by PdfPageStack. */
	readonly canvases: HTMLCanvasElement[] = [];

	#renderer: PageRenderer | null = null;
	#rendererReady = $state(0);
	/** Page → the scale it is drawn (or being drawn) at; plain, so the effect does not track it. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately untracked bookkeeping
	readonly #requested = new Map<number, number>();
	readonly #observer: IntersectionObserver | null;
	readonly #keepObserver: IntersectionObserver | null;
	readonly #makeRenderer: MakeRenderer;
	readonly #host: PageStackHost;

	constructor(host: PageStackHost, makeRenderer: MakeRenderer = lazyRenderer) {
		this.#makeRenderer = makeRenderer;
		this.#host = host;

		// One observer per zone for all pages; each page frame registers itself as it mounts.
		// Drawn: a little ahead of the viewport, so a page is usually ready as it scrolls in.
		this.#observer = zoneObserver(this.visible, '200px 0px');
		// Freed only beyond this (a percentage of the viewport's height): a page pushed just past
		// the look-ahead by content mounting above it stays drawn.
		this.#keepObserver = zoneObserver(this.kept, '150% 0px');
		$effect(() => () => {
			this.#observer?.disconnect();
			this.#keepObserver?.disconnect();
		});

		// The renderer lives as long as the opened document; a new document (a new revision) gets
		// a new one, and nothing requested of the old one survives.
		$effect(() => {
			const doc = host.doc();
			if (!doc) return;
			return this.attach(doc);
		});

		$effect(() => {
			void this.#rendererReady; // re-run when a new renderer is made
			// Until the list has a width, the fitted scale is not known: drawing then would be wasted.
			const laidOut = host.width() > 0;
			const want = laidOut ? pagesToRender(this.visible, host.pageCount()) : NO_PAGES;
			const kept = laidOut ? [...this.kept] : [];
			const s = host.scale();
			untrack(() => this.draw(want, s, kept));
		});
	}

	/**
	 * Takes a newly opened document: a new renderer, nothing drawn yet; returns the cleanup that
	 * cancels everything asked of it. Run by an effect, as is draw.
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
	 * Draws the pages in `want` at scale `s` (a page already drawn or being drawn at `s` is left
	 * alone) and cancels and frees every other page asked for earlier, except those near the
	 * `kept` pages (pagesToFree).
	 */
	draw(want: ReadonlySet<number>, s: number, kept: Iterable<number> = want): void {
		const r = this.#renderer;
		if (!r) return;
		const pageCount = untrack(() => this.#host.pageCount());
		for (const n of pagesToFree(this.#requested.keys(), want, kept, pageCount)) {
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
			if (this.adopt(n, canvas, s)) {
				this.painted[n] = s;
				continue;
			}
			r.render(n, canvas, s).then(
				(done) => {
					if (done && this.#requested.get(n) === s) this.painted[n] = s;
				},
				() => this.#requested.delete(n)
			);
		}
	}

	/**
	 * Fills page `n`'s canvas at scale `s` from a drawing made before (true), instead of asking
	 * pdf.js for it again; none here (the signer's PageDrawing has one).
	 */
	protected adopt(_n: number, _canvas: HTMLCanvasElement, _s: number): boolean {
		return false;
	}

	/** The action each page frame registers with; `data-page` names its page. */
	readonly observe = (node: HTMLElement) => {
		this.#observer?.observe(node);
		this.#keepObserver?.observe(node);
		return {
			destroy: () => {
				this.#observer?.unobserve(node);
				this.#keepObserver?.unobserve(node);
				this.visible.delete(Number(node.dataset.page));
				this.kept.delete(Number(node.dataset.page));
			}
		};
	};
}

/** An observer that keeps `pages` as the set of page frames within `rootMargin` of the viewport. */
function zoneObserver(pages: SvelteSet<number>, rootMargin: string): IntersectionObserver | null {
	if (typeof IntersectionObserver === 'undefined') return null;
	return new IntersectionObserver(
		(entries) => {
			for (const entry of entries) {
				const n = Number((entry.target as HTMLElement).dataset.page);
				if (entry.isIntersecting) pages.add(n);
				else pages.delete(n);
			}
		},
		{ rootMargin }
	);
}
