import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { ContractLoad } from './contract-view.svelte';
import type { DeviceEnvelope } from './db';
import { createFirstScreenGate } from './first-screen';
import { PageDrawing, type PageRenderer } from './page-drawing.svelte';

// The drawing's effects only call its methods (attach, draw, layOutFrames, settleFirstScreen);
// these tests call them as the effects would, with a renderer whose drawings finish on demand.

const A4 = { width: 595, height: 842 };
const row = {} as DeviceEnvelope;
const doc = {} as PDFDocumentProxy;

function fakeRenderer() {
	const calls: { page: number; scale: number; finish: (done: boolean) => void }[] = [];
	const cancelled: number[] = [];
	let cancelledAll = 0;
	const renderer: PageRenderer = {
		render: (page, _canvas, scale) =>
			new Promise<boolean>((resolve) => calls.push({ page, scale, finish: resolve })),
		cancel: (page) => void cancelled.push(page),
		cancelAll: () => void cancelledAll++
	};
	return { renderer, calls, cancelled, cancelledAll: () => cancelledAll };
}

/** A drawing of a contract of `count` pages whose document is open; `load` can be changed. */
function setup(count: number, load: ContractLoad = { state: 'ready', row, doc }) {
	const screen = { load };
	const pages = Array.from({ length: count }, () => A4);
	const fake = fakeRenderer();
	const gate = createFirstScreenGate(60_000);
	const drawing = new PageDrawing(
		{ load: () => screen.load, pages: () => pages, scale: () => 1, width: () => 800 },
		{ renderer: () => fake.renderer, gate }
	);
	// As in the app: the page holds the gate while it initialises, the layout asks after.
	const started: string[] = [];
	gate.after(() => started.push('start-up work'));
	for (let n = 0; n < count; n++) drawing.canvases[n] = { width: 300, height: 400 } as never;
	return { screen, drawing, started, ...fake };
}

/** Lets finished drawings report back. */
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('PageDrawing: lazy drawing', () => {
	it('shows a page as drawn only once its drawing has finished, at the scale asked for', async () => {
		const t = setup(6);
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1, 2]), 1.5);
		expect(t.calls.map((c) => [c.page, c.scale])).toEqual([
			[1, 1.5],
			[2, 1.5]
		]);
		expect(t.drawing.painted).toEqual({});
		t.calls[0]!.finish(true);
		await settle();
		expect(t.drawing.painted).toEqual({ 1: 1.5 });
	});

	it('does not draw a page again that is already drawn or being drawn at that scale', () => {
		const t = setup(6);
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1, 2]), 1);
		t.drawing.draw(new Set([1, 2, 3]), 1);
		expect(t.calls.map((c) => c.page)).toEqual([1, 2, 3]);
	});

	it('cancels and frees the pages scrolled away from', async () => {
		const t = setup(6);
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1, 2]), 1);
		for (const call of t.calls) call.finish(true);
		await settle();
		t.drawing.draw(new Set([4, 5, 6]), 1);
		expect(t.cancelled.sort()).toEqual([1, 2]);
		expect(t.drawing.canvases[0]).toMatchObject({ width: 0, height: 0 });
		expect(t.drawing.canvases[1]).toMatchObject({ width: 0, height: 0 });
		expect(t.drawing.canvases[2]).toMatchObject({ width: 300, height: 400 });
		expect(t.drawing.painted).toEqual({});
		expect(t.calls.slice(2).map((c) => c.page)).toEqual([4, 5, 6]);
	});

	it('keeps a drawn page that left the look-ahead but not the keep zone, drawn and on screen', async () => {
		const t = setup(6);
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1, 2]), 1);
		for (const call of t.calls) call.finish(true);
		await settle();
		// Content mounted above page 1 pushed it just past the look-ahead: nothing is to be drawn,
		// but page 1 is still within a screen and a half of the viewport.
		t.drawing.draw(new Set(), 1, [1]);
		expect(t.cancelled).toEqual([]);
		expect(t.drawing.canvases[0]).toMatchObject({ width: 300, height: 400 });
		expect(t.drawing.painted).toEqual({ 1: 1, 2: 1 });
		// Scrolled far away: freed after all.
		t.drawing.draw(new Set([5, 6]), 1, [5, 6]);
		expect(t.cancelled.sort()).toEqual([1, 2]);
		expect(t.drawing.painted).toEqual({});
	});

	it('redraws at a new zoom, and a drawing at the old zoom finishing late does not count', async () => {
		const t = setup(1);
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1]), 1);
		t.drawing.draw(new Set([1]), 2);
		t.calls[0]!.finish(true);
		await settle();
		expect(t.drawing.painted).toEqual({});
		t.calls[1]!.finish(true);
		await settle();
		expect(t.drawing.painted).toEqual({ 1: 2 });
	});

	it('draws nothing before a document is open, and forgets the old one for a new one', async () => {
		const t = setup(2);
		t.drawing.draw(new Set([1]), 1);
		expect(t.calls).toEqual([]);
		const stop = t.drawing.attach(doc);
		t.drawing.draw(new Set([1]), 1);
		t.calls[0]!.finish(true);
		await settle();
		stop();
		expect(t.cancelledAll()).toBe(1);
		t.drawing.attach(doc);
		expect(t.drawing.painted).toEqual({});
		// The same page at the same scale is drawn again by the new document's renderer.
		t.drawing.draw(new Set([1]), 1);
		expect(t.calls).toHaveLength(2);
	});
});

const noFrame = () => {
	throw new Error('replaced by the fake clock');
};

describe('PageDrawing: the first screen', () => {
	beforeEach(() => {
		// Node has no animation frames. The fake clock replaces only functions that exist, so a
		// never-called placeholder goes in first; the clock then runs a frame every 16 ms.
		Object.assign(globalThis, { requestAnimationFrame: noFrame, cancelAnimationFrame: noFrame });
		vi.useFakeTimers({
			toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame']
		});
		performance.clearMarks('sealpass:page-1');
	});
	afterEach(() => {
		vi.useRealTimers();
		delete (globalThis as Partial<typeof globalThis>).requestAnimationFrame;
		delete (globalThis as Partial<typeof globalThis>).cancelAnimationFrame;
	});

	it('lays out three frames until page 1 is drawn, the rest after the frame that shows it', () => {
		const t = setup(10);
		expect(t.drawing.framePages).toHaveLength(3);
		t.drawing.painted[1] = 1;
		t.drawing.layOutFrames();
		expect(t.drawing.allFrames).toBe(false);
		vi.runAllTimers();
		expect(t.drawing.allFrames).toBe(true);
		expect(t.drawing.framePages).toHaveLength(10);
	});

	it('lays out every frame after a second when page 1 is not drawn by then', () => {
		const t = setup(10);
		t.drawing.layOutFrames();
		vi.advanceTimersByTime(999);
		expect(t.drawing.allFrames).toBe(false);
		vi.advanceTimersByTime(1);
		expect(t.drawing.allFrames).toBe(true);
	});

	it('lays out every frame at once when the document cannot be opened', () => {
		const t = setup(10, { state: 'failed', row, message: 'broken' });
		t.drawing.layOutFrames();
		expect(t.drawing.allFrames).toBe(true);
	});

	it('lays out every frame when the signer asks for a field further on, once', () => {
		const t = setup(10);
		expect(t.drawing.showAllFrames()).toBe(true);
		expect(t.drawing.framePages).toHaveLength(10);
		expect(t.drawing.showAllFrames()).toBe(false);
	});

	it('holds the start-up work until page 1 is drawn, and marks when it was', () => {
		const t = setup(3);
		t.drawing.settleFirstScreen();
		expect(t.started).toEqual([]);
		expect(t.drawing.firstScreenShown).toBe(false);
		t.drawing.painted[1] = 1;
		t.drawing.settleFirstScreen();
		expect(t.started).toEqual(['start-up work']);
		expect(t.drawing.firstScreenShown).toBe(true);
		expect(performance.getEntriesByName('sealpass:page-1')).toHaveLength(1);
	});

	it('lets the start-up work go for a contract that cannot show page 1', () => {
		for (const load of [
			{ state: 'unknown' },
			{ state: 'not-downloaded', row },
			{ state: 'failed', row, message: 'broken' }
		] as ContractLoad[]) {
			const t = setup(3, load);
			t.drawing.settleFirstScreen();
			expect(t.started).toEqual(['start-up work']);
			expect(t.drawing.firstScreenShown).toBe(true);
		}
		expect(performance.getEntriesByName('sealpass:page-1')).toHaveLength(0);
	});
});

describe('PageDrawing: page 1 drawn by the boot script', () => {
	/** The boot script's drawing of document `hash` at `scale` on a screen of ratio 2. */
	function bootPage(hash: string, scale: number) {
		const canvas = { width: 1190, height: 1684 } as HTMLCanvasElement;
		return { hash, scale, screenRatio: 2, canvas, remove: vi.fn() };
	}

	/** A drawing of document "h" whose canvases record what is copied into them. */
	function withCanvases(count: number) {
		const t = setup(count, { state: 'ready', row: { docHash: 'h' } as DeviceEnvelope, doc });
		const copied: unknown[] = [];
		for (let n = 0; n < count; n++) {
			t.drawing.canvases[n] = {
				width: 0,
				height: 0,
				getContext: () => ({ drawImage: (image: unknown) => copied.push(image) })
			} as never;
		}
		return { ...t, copied };
	}

	beforeEach(() => vi.stubGlobal('devicePixelRatio', 2));
	afterEach(() => vi.unstubAllGlobals());

	it('takes its bitmap as page 1 instead of asking pdf.js again, and takes it off the screen', async () => {
		const t = withCanvases(3);
		const boot = bootPage('h', 1.5);
		t.drawing.holdBootPage(Promise.resolve(boot));
		await settle();
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1, 2]), 1.5);
		// Page 2 is pdf.js's; page 1 is the boot's drawing, copied at its size, shown at once.
		expect(t.calls.map((c) => c.page)).toEqual([2]);
		expect(t.copied).toEqual([boot.canvas]);
		expect(t.drawing.canvases[0]).toMatchObject({ width: 1190, height: 1684 });
		expect(t.drawing.painted).toEqual({ 1: 1.5 });
		expect(boot.remove).not.toHaveBeenCalled();
		t.drawing.settleFirstScreen();
		expect(boot.remove).toHaveBeenCalled();
		expect(t.drawing.firstScreenShown).toBe(true);
		// Zoomed afterwards: page 1 is pdf.js's again.
		t.drawing.draw(new Set([1, 2]), 2);
		expect(t.calls.map((c) => [c.page, c.scale])).toEqual([
			[2, 1.5],
			[1, 2],
			[2, 2]
		]);
	});

	it('draws page 1 itself when the drawing is of another scale, document or screen', async () => {
		const cases = [
			{ page: bootPage('h', 1.25), ratio: 2 },
			{ page: bootPage('another revision', 1.5), ratio: 2 },
			{ page: bootPage('h', 1.5), ratio: 3 }
		];
		for (const { page, ratio } of cases) {
			vi.stubGlobal('devicePixelRatio', ratio);
			const t = withCanvases(1);
			t.drawing.holdBootPage(Promise.resolve(page));
			await settle();
			t.drawing.attach(doc);
			t.drawing.draw(new Set([1]), 1.5);
			expect(t.calls.map((c) => c.page)).toEqual([1]);
			expect(t.copied).toEqual([]);
			// The boot's drawing stays until the view's page 1 is drawn.
			t.drawing.settleFirstScreen();
			expect(page.remove).not.toHaveBeenCalled();
			t.calls[0]!.finish(true);
			await settle();
			t.drawing.settleFirstScreen();
			expect(page.remove).toHaveBeenCalled();
		}
	});

	it('takes the drawing off the screen when the contract is left, or it comes after page 1', async () => {
		const left = withCanvases(1);
		const early = bootPage('h', 1.5);
		const leave = left.drawing.holdBootPage(Promise.resolve(early));
		await settle();
		leave?.();
		expect(early.remove).toHaveBeenCalled();

		const t = withCanvases(1);
		let shown!: (page: ReturnType<typeof bootPage>) => void;
		const late = bootPage('h', 1.5);
		t.drawing.holdBootPage(new Promise((resolve) => (shown = resolve)));
		t.drawing.attach(doc);
		t.drawing.draw(new Set([1]), 1.5);
		t.calls[0]!.finish(true);
		await settle();
		t.drawing.settleFirstScreen();
		shown(late);
		await settle();
		expect(late.remove).toHaveBeenCalled();
	});
});
