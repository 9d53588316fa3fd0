import { untrack } from 'svelte';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { PageSize } from '$lib/domain/envelope';
import type { ContractLoad } from './contract-view.svelte';
import { firstScreen, type FirstScreenGate } from './first-screen';
import type { BootPage } from './contract-boot';
import { rememberPlace } from './first-page-place';
import { signerFitScale } from '$lib/domain/page-geometry';
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
	/** Page 1 as the contract boot script drew it, to take over (contract-boot.ts). */
	firstPage?: () => Promise<BootPage | null> | null;
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
	/** The boot script's page 1 while it is on the screen. */
	#bootPage: BootPage | null = null;

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
		$effect(() => this.holdBootPage(host.firstPage?.() ?? null));

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

	/**
	 * Keeps the boot script's page 1 until the view shows page 1 itself; returns the cleanup that
	 * takes it off the screen (leaving the contract, or another contract's view).
	 */
	holdBootPage(shown: Promise<BootPage | null> | null): (() => void) | undefined {
		if (!shown) return;
		let held = true;
		void shown.then((page) => {
			if (held && !this.firstScreenShown) this.#bootPage = page;
			else page?.remove();
		});
		return () => {
			held = false;
			this.#dropBootPage();
		};
	}

	/**
	 * Page 1 from the boot script's bitmap when it was drawn from this document at this scale and
	 * screen ratio (the bitmap pdf.js would draw now): pdf.js is not asked for it twice, and the
	 * page shows at once where the boot's drawing was.
	 */
	protected override adopt(n: number, canvas: HTMLCanvasElement, s: number): boolean {
		const boot = this.#bootPage;
		const load = this.host.load();
		if (n !== 1 || !boot || load.state !== 'ready' || load.row.docHash !== boot.hash) return false;
		if (boot.scale !== s || boot.screenRatio !== devicePixelRatio) return false;
		canvas.width = boot.canvas.width;
		canvas.height = boot.canvas.height;
		const context = canvas.getContext('2d');
		if (!context) return false;
		context.drawImage(boot.canvas, 0, 0);
		performance.mark('sealpass:page-1-adopted');
		return true;
	}

	#dropBootPage(): void {
		this.#bootPage?.remove();
		this.#bootPage = null;
	}

	/** Lets the start-up work go once page 1 is on screen, or the contract cannot show it. */
	settleFirstScreen(): void {
		if (this.painted[1] !== undefined) {
			// When page 1 was first on screen in this page load, for npm run bench and the tests.
			if (!performance.getEntriesByName('sealpass:page-1').length) {
				performance.mark('sealpass:page-1');
				this.#rememberPlace();
			}
			this.#dropBootPage();
			this.#releaseFirstScreen();
			this.firstScreenShown = true;
		} else if (['unknown', 'not-downloaded', 'failed'].includes(this.host.load().state)) {
			this.#dropBootPage();
			this.#releaseFirstScreen();
			this.firstScreenShown = true;
		}
	}

	/**
	 * Where page 1 is now, for the boot script of the next open (first-page-place.ts): only at fit
	 * width, the scale the boot draws at.
	 */
	#rememberPlace(): void {
		const load = this.host.load();
		const frame = this.canvases[0]?.parentElement;
		const listWidth = untrack(() => this.host.width());
		const pages = untrack(() => this.host.pages());
		if (
			load.state !== 'ready' ||
			!frame ||
			untrack(() => this.painted[1]) !== signerFitScale(pages, listWidth)
		) {
			return;
		}
		const box = frame.getBoundingClientRect();
		try {
			rememberPlace(localStorage, {
				id: load.row.id,
				screenWidth: innerWidth,
				screenRatio: devicePixelRatio,
				listWidth,
				top: box.top + scrollY,
				centre: box.left + scrollX + box.width / 2
			});
		} catch {
			// No storage: the next open draws page 1 in the app, as without this.
		}
	}

	/** Lays out every frame now; false when they already were. */
	showAllFrames(): boolean {
		if (this.allFrames) return false;
		this.allFrames = true;
		return true;
	}
}
