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
		{ encoding: 'utf8', maxBuffer: 1 << 20 }
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
