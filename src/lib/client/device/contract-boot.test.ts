import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceDb } from './db';
import {
	bootContract,
	bootPageSettled,
	contractIdAt,
	takeBootOpen,
	takeBootPage,
	takeBootWorker
} from './contract-boot';
import { rememberPlace } from './first-page-place';
import { signerFitScale } from '$lib/domain/page-geometry';
import { PDF_OPEN_OPTIONS } from '../pdf-options';

// bootContract against a real Dexie store (fake-indexeddb) written by the app's own schema, with
// a recording stand-in for the Worker and pdf.js globals it is handed in the browser. The
// browser run (a contract opened from the contract boot script before the app) is in
// tests/e2e/contract-view.spec.ts; its speed is `npm run bench -- first-page`.

/** An ES module pdf.js's URL can point at in Node: importing it succeeds, like the real chunk. */
const PDFJS_URL = 'data:text/javascript,export default 1';
const WORKER_URL = '/_app/immutable/assets/pdf.worker.min.test.mjs';

// What the build's plugin provides to the boot script's own bundle (vite.config.ts).
vi.mock('virtual:sealpass/pdfjs-urls', () => ({ pdfjsUrl: PDFJS_URL, pdfWorkerUrl: WORKER_URL }));

interface Recorded {
	workers: string[];
	terminated: string[];
	destroyed: number;
	opened: Record<string, unknown>[];
	ports: unknown[];
}

let recorded: Recorded;
const saved = {
	location: Object.getOwnPropertyDescriptor(globalThis, 'location'),
	Worker: Object.getOwnPropertyDescriptor(globalThis, 'Worker')
};

function at(pathname: string): void {
	Object.defineProperty(globalThis, 'location', { value: { pathname }, configurable: true });
}

beforeEach(() => {
	recorded = { workers: [], terminated: [], destroyed: 0, opened: [], ports: [] };
	class RecordingWorker {
		constructor(readonly url: string) {
			recorded.workers.push(url);
		}
		terminate() {
			recorded.terminated.push(this.url);
		}
	}
	Object.defineProperty(globalThis, 'Worker', { value: RecordingWorker, configurable: true });
	const doc = {
		getPage: async () => ({}),
		destroy: async () => {
			recorded.destroyed++;
		}
	};
	(globalThis as Record<string, unknown>).pdfjsLib = {
		GlobalWorkerOptions: { workerSrc: '' },
		PDFWorker: {
			create: ({ port }: { port: unknown }) => {
				recorded.ports.push(port);
				return { port };
			}
		},
		getDocument: (params: Record<string, unknown>) => {
			recorded.opened.push(params);
			return { promise: Promise.resolve(doc) };
		}
	};
});

afterEach(async () => {
	const g = globalThis as Record<string, unknown>;
	delete g.pdfjsLib;
	delete g.__sealpassPdfWorker;
	delete g.__sealpassBootOpen;
	delete g.__sealpassBootPage;
	vi.unstubAllGlobals();
	delete g.__sealpassBootWorkerUrl;
	for (const [name, descriptor] of Object.entries(saved)) {
		if (descriptor) Object.defineProperty(globalThis, name, descriptor);
		else delete g[name];
	}
	for (const { name } of await indexedDB.databases()) if (name) indexedDB.deleteDatabase(name);
});

/** Puts a contract on the device the way a download does: the row and the PDF under its hash. */
async function deviceWith(
	id: string,
	bytes: Uint8Array<ArrayBuffer>,
	downloaded = true
): Promise<string> {
	const db = new DeviceDb();
	const hash = 'a'.repeat(64);
	await db.blobs.put({
		sha256: hash,
		data: new Blob([bytes]),
		size: bytes.length,
		type: 'application/pdf'
	});
	await db.envelopes.put({
		id,
		docHash: hash,
		downloadedAt: downloaded ? new Date().toISOString() : null
	} as never);
	db.close();
	return hash;
}

describe('bootContract', () => {
	it('opens the device copy of the contract in the URL with the app’s options and its own worker', async () => {
		const bytes = new TextEncoder().encode('%PDF-1.7 test');
		const hash = await deviceWith('env-1', bytes);
		at('/inbox/env-1');
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);

		expect(recorded.workers).toEqual([WORKER_URL]);
		const open = await takeBootOpen('env-1', WORKER_URL);
		expect(open?.hash).toBe(hash);
		// The row as the store holds it, for the view to show before Dexie has opened the store.
		expect(open?.row).toMatchObject({ id: 'env-1', docHash: hash });
		await open?.doc;
		expect(recorded.opened).toHaveLength(1);
		const params = recorded.opened[0]!;
		expect(params).toMatchObject(PDF_OPEN_OPTIONS);
		expect(new TextDecoder().decode(params.data as Uint8Array)).toBe('%PDF-1.7 test');
		// pdf.js is handed the boot's worker as its port; the app then takes the same worker, once.
		const port = takeBootWorker(WORKER_URL);
		expect(port).not.toBeNull();
		expect(recorded.ports).toEqual([port]);
		expect(takeBootWorker(WORKER_URL)).toBeNull();
		expect(takeBootOpen('env-1', WORKER_URL)).toBeNull();
	});

	it('opens nothing for another contract, one not downloaded, or a device without the store — and creates no store', async () => {
		at('/inbox/unknown');
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		expect(takeBootOpen('other', WORKER_URL)).toBeNull();
		expect(await takeBootOpen('unknown', WORKER_URL)).toBeNull();
		// The read aborted the creation: the app's Dexie still finds no database to upgrade.
		expect((await indexedDB.databases()).map((d) => d.name)).not.toContain('sealpass');

		await deviceWith('env-2', new Uint8Array([1, 2, 3]), false);
		delete (globalThis as Record<string, unknown>).__sealpassPdfWorker;
		at('/inbox/env-2');
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		expect(await takeBootOpen('env-2', WORKER_URL)).toBeNull();
		expect(recorded.opened).toEqual([]);
	});

	it('does nothing off a contract’s URL, and starts no second worker once the app has its own', async () => {
		at('/inbox');
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		expect(recorded.workers).toEqual([]);

		// The app started first (warmPdfjs took the slot): the late boot script starts nothing.
		expect(takeBootWorker(WORKER_URL)).toBeNull();
		await deviceWith('env-3', new Uint8Array([1]));
		at('/inbox/env-3');
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		expect(recorded.workers).toEqual([]);
		expect(takeBootOpen('env-3', WORKER_URL)).toBeNull();
	});
});

describe('a boot script of another release', () => {
	it('is not taken: its worker is ended and its document freed, so the app opens its own', async () => {
		await deviceWith('env-5', new TextEncoder().encode('%PDF-1.7 old'));
		at('/inbox/env-5');
		const oldWorker = '/_app/immutable/assets/pdf.worker.min.old.mjs';
		bootContract(oldWorker, PDFJS_URL, PDF_OPEN_OPTIONS);
		expect(recorded.workers).toEqual([oldWorker]);

		expect(takeBootOpen('env-5', WORKER_URL)).toBeNull();
		expect(takeBootWorker(WORKER_URL)).toBeNull();
		expect(recorded.terminated).toEqual([oldWorker]);
		await vi.waitFor(() => expect(recorded.destroyed).toBe(1));
	});
});

describe('the contract boot script entry', () => {
	it('boots the contract in the URL with the build’s pdf.js URLs and the app’s options', async () => {
		const hash = await deviceWith('env-4', new TextEncoder().encode('%PDF-1.7 entry'));
		at('/inbox/env-4');
		// A shell's held module preload: no page 1 is drawn here (no place), so it is released.
		const held = new Map([['data-held-modulepreload', '']]);
		const link = {
			rel: '',
			removeAttribute: (name: string) => held.delete(name)
		};
		vi.stubGlobal('document', { readyState: 'complete', querySelectorAll: () => [link] });
		vi.resetModules();
		await import('./contract-boot-entry');
		expect(link.rel).toBe('modulepreload');
		expect(held.size).toBe(0);

		expect(recorded.workers).toEqual([WORKER_URL]);
		const open = await takeBootOpen('env-4', WORKER_URL);
		expect(open?.hash).toBe(hash);
		await open?.doc;
		expect(recorded.opened).toHaveLength(1);
		expect(recorded.opened[0]).toMatchObject(PDF_OPEN_OPTIONS);
	});
});

describe('contractIdAt', () => {
	it('names the contract of a contract’s URL only', () => {
		expect(contractIdAt('/inbox/env-1')).toBe('env-1');
		expect(contractIdAt('/inbox/a%20b')).toBe('a b');
		for (const path of [
			'/inbox',
			'/inbox/',
			'/inbox/a/b',
			'/admin/contracts/x',
			'/inbox/%E0%A4%A'
		]) {
			expect(contractIdAt(path)).toBeNull();
		}
	});
});

describe('bootContract: page 1 before the app', () => {
	/** A Map behind the Web Storage calls the place uses. */
	function memoryStorage(): Storage {
		const items = new Map<string, string>();
		return {
			getItem: (key: string) => items.get(key) ?? null,
			setItem: (key: string, value: string) => void items.set(key, value)
		} as Storage;
	}

	/** Just enough of the DOM for the boot's page: elements that keep their attributes and children. */
	function fakeDocument() {
		const element = () => ({
			style: { cssText: '' },
			attributes: {} as Record<string, string>,
			children: [] as unknown[],
			removed: false,
			setAttribute(name: string, value: string) {
				this.attributes[name] = value;
			},
			append(child: unknown) {
				this.children.push(child);
			},
			remove() {
				this.removed = true;
			}
		});
		const body = element();
		return { body, createElement: () => element() };
	}

	const A4 = { width: 595, height: 842 };

	/** A phone's screen with a measured place, pdf.js's page recording how it is drawn. */
	async function phoneWithPlace(id: string) {
		const storage = memoryStorage();
		rememberPlace(storage, {
			id,
			screenWidth: 390,
			screenRatio: 2,
			listWidth: 374,
			top: 240,
			centre: 195
		});
		const document = fakeDocument();
		vi.stubGlobal('localStorage', storage);
		vi.stubGlobal('innerWidth', 390);
		vi.stubGlobal('devicePixelRatio', 2);
		vi.stubGlobal('document', document);
		const drawn: { scale: number }[] = [];
		const page = {
			getViewport: ({ scale }: { scale: number }) => ({
				scale,
				width: A4.width * scale,
				height: A4.height * scale
			}),
			render: ({ viewport }: { viewport: { scale: number } }) => {
				drawn.push(viewport);
				return { promise: Promise.resolve() };
			}
		};
		const lib = (globalThis as unknown as { pdfjsLib: { getDocument: unknown } }).pdfjsLib;
		lib.getDocument = () => ({ promise: Promise.resolve({ getPage: async () => page }) });
		const db = new DeviceDb();
		await db.blobs.put({
			sha256: 'b'.repeat(64),
			data: new Blob([new Uint8Array([1])]),
			size: 1,
			type: 'application/pdf'
		});
		await db.envelopes.put({
			id,
			docHash: 'b'.repeat(64),
			downloadedAt: new Date().toISOString(),
			definition: { pages: [A4, A4] }
		} as never);
		db.close();
		at(`/inbox/${id}`);
		return { document, drawn };
	}

	it('draws page 1 where the view showed it, at the view’s scale and the screen’s ratio', async () => {
		const { document, drawn } = await phoneWithPlace('env-9');
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		await bootPageSettled('env-9', 60_000);
		const page = await takeBootPage('env-9', WORKER_URL);
		const scale = signerFitScale([A4, A4], 374);
		expect(page).toMatchObject({ hash: 'b'.repeat(64), scale, screenRatio: 2 });
		expect(drawn.map((v) => v.scale)).toEqual([scale * 2]);
		expect(page!.canvas).toMatchObject({
			width: Math.floor(A4.width * scale * 2),
			height: Math.floor(A4.height * scale * 2)
		});
		const [frame] = document.body.children as ReturnType<typeof document.createElement>[];
		expect(frame!.attributes).toEqual({
			'data-boot-page': '',
			'aria-hidden': 'true',
			'data-rendered': 'true'
		});
		const width = A4.width * scale;
		expect(frame!.style.cssText).toContain(`top:240px;left:${195 - width / 2}px;width:${width}px`);
		page!.remove();
		expect(frame!.removed).toBe(true);
		expect(takeBootPage('env-9', WORKER_URL)).toBeNull();
	});

	it('draws nothing on a screen the view never measured, and the app’s start does not wait', async () => {
		const { document } = await phoneWithPlace('env-10');
		vi.stubGlobal('innerWidth', 1280);
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		expect(takeBootPage('env-10', WORKER_URL)).toBeNull();
		let settled = false;
		void bootPageSettled('env-10', 60_000).then(() => (settled = true));
		await Promise.resolve();
		expect(settled).toBe(true);
		await takeBootOpen('env-10', WORKER_URL);
		expect(document.body.children).toEqual([]);
	});

	it('ends the app’s wait when page 1 cannot be drawn, or after the longest wait', async () => {
		await phoneWithPlace('env-11');
		const lib = (globalThis as unknown as { pdfjsLib: { getDocument: unknown } }).pdfjsLib;
		lib.getDocument = () => ({ promise: Promise.reject(new Error('broken PDF')) });
		bootContract(WORKER_URL, PDFJS_URL, PDF_OPEN_OPTIONS);
		await bootPageSettled('env-11', 60_000);
		expect(await takeBootPage('env-11', WORKER_URL)).toBeNull();

		vi.useFakeTimers();
		try {
			(globalThis as Record<string, unknown>).__sealpassBootPage = {
				id: 'env-12',
				made: new Promise(() => {})
			};
			let settled = false;
			void bootPageSettled('env-12', 3000).then(() => (settled = true));
			await vi.advanceTimersByTimeAsync(2999);
			expect(settled).toBe(false);
			await vi.advanceTimersByTimeAsync(1);
			expect(settled).toBe(true);
		} finally {
			vi.useRealTimers();
		}
	});
});
