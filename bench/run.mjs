#!/usr/bin/env node
// `npm run bench`: one JSON line per figure on stdout (and in bench/results/latest.jsonl).
// Sizes are measured as the browser sees them: the real server, real Chromium, every script
// and stylesheet the first route downloads. Figures are reported as ratios against a budget or
// a baseline measured in the same run, never as absolute timings.
import { chromium } from '@playwright/test';
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { startServer } from '../scripts/server-process.mjs';
import { ensureNodeBuild, NODE_BUILD_DIR } from '../scripts/node-build.mjs';

const FIRST_ROUTE_BUDGET = 150 * 1024;
const figures = [];
const emit = (figure) => {
	figures.push(figure);
	console.log(JSON.stringify(figure));
};

function walk(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : [path];
	});
}

const server = await startServer();
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
	args: [
		'--no-sandbox',
		'--disable-gpu',
		'--no-first-run',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync'
	]
});
let failed = false;
try {
	const context = await browser.newContext({ serviceWorkers: 'block' });
	const page = await context.newPage();
	const assets = new Map();
	page.on('response', async (response) => {
		const type = response.request().resourceType();
		if (type !== 'script' && type !== 'stylesheet') return;
		assets.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
	});
	await page.goto(server.url + '/', { waitUntil: 'networkidle' });
	await page.waitForLoadState('networkidle');
	let firstRoute = 0;
	let pdfjsLoaded = false;
	for (const [url, body] of assets) {
		firstRoute += gzipSync(body, { level: 9 }).byteLength;
		if (
			/pdf\.worker|pdfjs/.test(url) ||
			body.includes('pdfjsVersion') ||
			body.includes('PDFDocument')
		)
			pdfjsLoaded = true;
	}
	emit({
		figure: 'first_route_js_css_gzip_bytes',
		value: firstRoute,
		files: assets.size,
		budget: FIRST_ROUTE_BUDGET,
		ratio_to_budget: +(firstRoute / FIRST_ROUTE_BUDGET).toFixed(3),
		pass: firstRoute <= FIRST_ROUTE_BUDGET
	});
	emit({ figure: 'first_route_loads_pdf_libraries', value: pdfjsLoaded, pass: !pdfjsLoaded });

	// Baseline from the same build: all client JS + CSS, so the ratio shows how much is deferred.
	const all = walk('build/client/_app/immutable')
		.filter((f) => /\.(js|mjs|css)$/.test(f))
		.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).byteLength, 0);
	emit({
		figure: 'first_route_share_of_all_client_js_css',
		value: +(firstRoute / all).toFixed(3),
		first_route_gzip_bytes: firstRoute,
		all_client_gzip_bytes: all
	});
	failed = figures.some((f) => f.pass === false);
} finally {
	await browser.close();
	await server.stop();
}
// Render benchmark: each measurement in a fresh Node process running the bundled production
// code, so JIT state and peak memory belong to that measurement alone.
await ensureNodeBuild();
const benchEntry = pathToFileURL(join(NODE_BUILD_DIR, 'bench.mjs')).href;
const fixtures = join(tmpdir(), 'sealpass-bench-fixtures');
const child = (...args) =>
	execFileSync(
		process.execPath,
		[
			'--input-type=module',
			'-e',
			`(await import(${JSON.stringify(benchEntry)})).main(${JSON.stringify(args)})`
		],
		{ encoding: 'utf8', maxBuffer: 64 << 20 }
	);
child('prepare', fixtures);
for (const name of ['text-20', 'text-200', 'text-2000', 'image-200']) {
	const time = JSON.parse(child('time', fixtures, name));
	const memory = JSON.parse(child('memory', fixtures, name));
	const bare = JSON.parse(child('bare-memory', fixtures, name));
	emit({
		figure: `render_${name}`,
		...time,
		...memory,
		bare_peak_rss_bytes: bare.bare_peak_rss_bytes,
		render_peak_over_bare_peak: +(memory.render_peak_rss_bytes / bare.bare_peak_rss_bytes).toFixed(
			3
		),
		render_over_pdflib_goal: 1.3,
		render_over_qpdf_goal: 3,
		pass:
			(time.pages < 200 || time.render_over_pdflib_load_save <= 1.3) &&
			time.output_growth_over_budget <= 1 &&
			memory.render_peak_over_budget <= 1
	});
}

// Upload per signature (issue 4 "Speed"): the submission body without its new images stays
// under 16 KB whatever the contract's size, because the PDF never travels.
for (const name of ['text-20', 'text-200', 'text-2000']) {
	emit({ figure: `upload_per_signature_${name}`, ...JSON.parse(child('upload', fixtures, name)) });
}

// First page of a 200-page contract from the device copy (issue 4 "Speed"): the contract view,
// opened cold from Dexie, against pdf.js opening the same bytes and drawing that page alone,
// both in the same Chromium, same page size and scale, in the same run. Median of 3.
{
	const FIRST_PAGE_GOAL = 1.5;
	const fixture = JSON.parse(child('first-page-fixture', fixtures));
	const server = await startServer();
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
	});
	try {
		const context = await browser.newContext({
			serviceWorkers: 'block',
			viewport: { width: 390, height: 844 }
		});
		const setup = await context.newPage();
		await setup.goto(server.url + '/inbox');
		// The inbox opened the device store (Dexie created its tables); put the contract in it as
		// a download would: the PDF under its hash, the row with its definition.
		await setup.waitForFunction(async () =>
			(await indexedDB.databases()).some((d) => d.name === 'sealpass')
		);
		await setup.evaluate(async (fx) => {
			const db = await new Promise((resolve, reject) => {
				const request = indexedDB.open('sealpass');
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			const bytes = Uint8Array.from(atob(fx.pdf), (c) => c.charCodeAt(0));
			const tx = db.transaction(['blobs', 'envelopes'], 'readwrite');
			const data = new Blob([bytes], { type: 'application/pdf' });
			tx.objectStore('blobs').put({ sha256: fx.docHash, data, size: data.size, type: data.type });
			const now = new Date().toISOString();
			tx.objectStore('envelopes').put({
				id: fx.definition.id,
				title: 'Bench 200 pages',
				status: 'sent',
				revision: 1,
				docHash: fx.docHash,
				pageCount: 200,
				size: data.size,
				myState: 'pending',
				createdAt: now,
				downloadedAt: now,
				notice: null,
				definition: fx.definition,
				accepted: [],
				mySignerIds: []
			});
			await new Promise((resolve, reject) => {
				tx.oncomplete = resolve;
				tx.onerror = () => reject(tx.error);
			});
			db.close();
		}, fixture);
		await setup.close();
		const runs = [];
		for (let i = 0; i < 3; i++) {
			const page = await context.newPage();
			// Records when page 1's canvas is painted, relative to navigation start.
			await page.addInitScript(() => {
				new MutationObserver(() => {
					if (globalThis.__firstPage) return;
					const frame = document.querySelector('[data-page="1"][data-rendered="true"]');
					if (frame) globalThis.__firstPage = performance.now();
				}).observe(document, { subtree: true, childList: true, attributes: true });
			});
			await page.goto(`${server.url}/inbox/${fixture.definition.id}`);
			await page.waitForFunction(() => globalThis.__firstPage, null, { timeout: 120_000 });
			const run = await page.evaluate(async () => {
				const appMs = globalThis.__firstPage;
				const shown = document.querySelector('[data-page="1"] canvas');
				// pdf.js alone: open the same bytes, draw page 1 at the view's canvas size.
				const db = await new Promise((resolve, reject) => {
					const request = indexedDB.open('sealpass');
					request.onsuccess = () => resolve(request.result);
					request.onerror = () => reject(request.error);
				});
				const all = await new Promise((resolve) => {
					const request = db.transaction('blobs').objectStore('blobs').getAll();
					request.onsuccess = () => resolve(request.result);
				});
				const pdf = all.find((b) => b.type === 'application/pdf');
				const data = new Uint8Array(await pdf.data.arrayBuffer());
				db.close();
				const lib = globalThis.pdfjsLib;
				const assets = '/generated/pdfjs/';
				const t0 = performance.now();
				const doc = await lib.getDocument({
					data,
					isEvalSupported: false,
					cMapUrl: `${assets}cmaps/`,
					cMapPacked: true,
					standardFontDataUrl: `${assets}standard_fonts/`,
					wasmUrl: `${assets}wasm/`
				}).promise;
				const first = await doc.getPage(1);
				const base = first.getViewport({ scale: 1 });
				const viewport = first.getViewport({ scale: shown.width / base.width });
				const canvas = document.createElement('canvas');
				canvas.width = Math.floor(viewport.width);
				canvas.height = Math.floor(viewport.height);
				await first.render({ canvas, viewport }).promise;
				const pdfjsMs = performance.now() - t0;
				await doc.destroy();
				return { appMs, pdfjsMs, canvasWidth: shown.width };
			});
			runs.push(run);
			await page.close();
		}
		const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
		const appMs = median(runs.map((r) => r.appMs));
		const pdfjsMs = median(runs.map((r) => r.pdfjsMs));
		const ratio = appMs / pdfjsMs;
		emit({
			figure: 'first_page_of_200_from_device_copy',
			app_ms_from_navigation: Math.round(appMs),
			pdfjs_alone_ms: Math.round(pdfjsMs),
			canvas_width_px: runs[0].canvasWidth,
			ratio_to_pdfjs_alone: +ratio.toFixed(3),
			goal: FIRST_PAGE_GOAL,
			pass: ratio <= FIRST_PAGE_GOAL
		});
	} finally {
		await browser.close();
		await server.stop();
	}
}

// Review benchmark (issue 5): list and detail queries at 100 000 submissions against the same
// queries at 1 000 (goal ≤ 2), and verified ingest throughput as a ratio to the bare health
// check's, each in a fresh process running the bundled production code.
const reviewEntry = pathToFileURL(join(NODE_BUILD_DIR, 'review-bench.mjs')).href;
const reviewChild = (mode) =>
	JSON.parse(
		execFileSync(
			process.execPath,
			[
				'--input-type=module',
				'-e',
				`(await import(${JSON.stringify(reviewEntry)})).main([${JSON.stringify(mode)}])`
			],
			{ encoding: 'utf8', maxBuffer: 1 << 20 }
		)
	);
const [fill, ...queries] = reviewChild('queries');
for (const query of queries) {
	emit({
		figure: `review_${query.query}`,
		...query,
		goal: 2,
		pass: query.ratio_100k_over_1k <= 2
	});
}
emit({ figure: 'review_fill_rows', ...fill });
emit({ figure: 'review_ingest_throughput', ...reviewChild('ingest') });
failed = figures.some((f) => f.pass === false);

mkdirSync('bench/results', { recursive: true });
writeFileSync(
	'bench/results/latest.jsonl',
	figures.map((f) => JSON.stringify(f)).join('\n') + '\n'
);
process.exit(failed ? 1 : 0);
