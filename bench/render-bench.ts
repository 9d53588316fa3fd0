// The render benchmark (issue: signing core). Bundled for Node by vite.node.config.ts and driven
// by bench/run.mjs, which runs each measurement in a fresh process so peak memory is per case.
// Every time is reported as a ratio to a baseline measured on the same file in the same run.
import { PDFDocument } from '@cantoo/pdf-lib';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '$lib/pdf/render';
import { mmToPt } from '$lib/domain/envelope';
import type { Manifest } from '$lib/domain/manifest';
import { randomUUID } from 'node:crypto';
import { manifestChallenge } from '$lib/domain/canonical';
import { discSealPng, photoJpeg, sha256Hex, signaturePng } from '../tests/support/images';
import { createFakeAuthenticator } from '../tests/support/fake-authenticator';
import { textPdf } from '../tests/support/pdfs';
import { PDF_OPEN_OPTIONS } from '$lib/client/pdf-options';

export interface Case {
	name: string;
	pages: number;
	image: boolean;
}

export const CASES: Case[] = [
	{ name: 'text-20', pages: 20, image: false },
	{ name: 'text-200', pages: 200, image: false },
	{ name: 'text-2000', pages: 2000, image: false },
	{ name: 'image-200', pages: 200, image: true }
];

/** Writes the fixture PDFs and images once into `dir` (deterministic, so reusable). */
export async function prepare(dir: string): Promise<void> {
	mkdirSync(dir, { recursive: true });
	const photo = await photoJpeg();
	for (const c of CASES) {
		const file = join(dir, `${c.name}.pdf`);
		if (!existsSync(file))
			writeFileSync(file, await textPdf(c.pages, c.image ? { image: photo } : {}));
	}
	writeFileSync(join(dir, 'signature.png'), await signaturePng());
	writeFileSync(join(dir, 'seal.png'), await discSealPng(600));
}

/** One signature, two seals (a seal field and a free seal) and a riding seam over all pages. */
function manifestFor(pages: number, sig: string, seal: string): Manifest {
	const size = { width: 42, height: 42 };
	return {
		v: 1,
		envelopeId: 'bench',
		docHash: 'a'.repeat(64),
		revision: 1,
		signerId: 'signer',
		credentialId: 'cred',
		ticket: { id: 't', nonce: 'bm9uY2Utbm9uY2Utbm9uY2U' },
		deviceTime: '2026-03-01T08:00:00.000Z',
		decision: { kind: 'signed' },
		fills: [
			{
				fieldId: 's',
				page: pages,
				rect: { x: 60, y: 200, width: 160, height: 50 },
				kind: 'signature',
				image: sig
			},
			{
				fieldId: 'k',
				page: pages,
				rect: { x: 80, y: 260, width: 120, height: 120 },
				kind: 'seal',
				sealId: 'seal',
				image: seal,
				sizeMm: size
			}
		],
		seals: [
			{
				sealId: 'seal',
				image: seal,
				page: 1,
				centre: { x: 300, y: 300 + mmToPt(21) },
				sizeMm: size
			}
		],
		ridingSeams: [
			{ sealId: 'seal', image: seal, pages: 'all', edge: 'right', position: 0.5, sizeMm: size }
		]
	};
}

/** A case's PDF, its two images keyed by hash, and the manifest that stamps them. */
export function loadCase(dir: string, name: string) {
	const c = CASES.find((k) => k.name === name);
	if (!c) throw new Error(`No benchmark case ${name}`);
	const original = new Uint8Array(readFileSync(join(dir, `${name}.pdf`)));
	const sig = new Uint8Array(readFileSync(join(dir, 'signature.png')));
	const seal = new Uint8Array(readFileSync(join(dir, 'seal.png')));
	const assets = new Map([
		[sha256Hex(sig), sig],
		[sha256Hex(seal), seal]
	]);
	const manifest = manifestFor(c.pages, sha256Hex(sig), sha256Hex(seal));
	return { c, original, assets, manifest, imageBytes: sig.byteLength + seal.byteLength };
}

const now = () => process.hrtime.bigint();
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

/** Median of `runs` timings of `fn`, in milliseconds. */
export async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t0 = now();
		await fn();
		times.push(ms(t0, now()));
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)]!;
}

/**
 * Measures one case: render vs pdf-lib's bare load + save and vs qpdf rewriting the file, the
 * output growth, and (as the process's own peak RSS) memory. Meant to run in a fresh process.
 */
export async function measure(dir: string, name: string): Promise<Record<string, unknown>> {
	const { c, original, assets, manifest, imageBytes } = loadCase(dir, name);
	const runs = c.pages >= 2000 ? 5 : 15;

	let out = new Uint8Array();
	// The first render in a process is "cold": JIT and the PNG cache are empty. Reported apart;
	// the ratios use warmed-up medians, as on a server that has rendered before.
	const cold0 = now();
	await render(original, [manifest], assets);
	const coldMs = ms(cold0, now());
	for (let i = 0; i < 2; i++) await render(original, [manifest], assets);
	const renderMs = await median(runs, async () => {
		out = await render(original, [manifest], assets);
	});
	let resaved = new Uint8Array();
	const bareMs = await median(runs, async () => {
		const doc = await PDFDocument.load(original, { updateMetadata: false });
		resaved = await doc.save();
	});
	// The same load + save with pdf-lib's yielding turned off, as render() runs it: shows what
	// render's own drawing costs on top of parsing and writing.
	const tunedMs = await median(runs, async () => {
		const doc = await PDFDocument.load(original, {
			updateMetadata: false,
			objectsPerTick: Infinity
		});
		await doc.save({ objectsPerTick: Infinity });
	});
	const tmp = mkdtempSync(join(tmpdir(), 'sealpass-bench-'));
	const input = join(tmp, 'in.pdf');
	writeFileSync(input, original);
	const qpdfMs = await median(runs, () => execFileSync('qpdf', [input, join(tmp, 'out.pdf')]));
	rmSync(tmp, { recursive: true, force: true });

	const growth = out.byteLength - original.byteLength;
	const growthBudget = imageBytes + 0.3 * 1024 * c.pages;
	return {
		case: name,
		pages: c.pages,
		input_bytes: original.byteLength,
		render_ms: +renderMs.toFixed(1),
		cold_render_ms: +coldMs.toFixed(1),
		cold_render_over_pdflib_load_save: +(coldMs / bareMs).toFixed(3),
		render_over_pdflib_load_save: +(renderMs / bareMs).toFixed(3),
		render_over_unyielding_load_save: +(renderMs / tunedMs).toFixed(3),
		render_over_qpdf_rewrite: +(renderMs / qpdfMs).toFixed(3),
		output_growth_bytes: growth,
		output_growth_budget_bytes: Math.round(growthBudget),
		output_growth_over_budget: +(growth / growthBudget).toFixed(3),
		bare_resave_growth_bytes: resaved.byteLength - original.byteLength
	};
}

/**
 * Peak memory of one render in a process that does nothing else (the caller starts a fresh
 * one), against the budget of 5 × the file size + 60 MB.
 */
export async function measureMemory(dir: string, name: string): Promise<Record<string, unknown>> {
	// Baseline: this process with every module loaded and nothing rendered yet. The budget is
	// for what rendering adds on top of that (Node itself and the loaded code are ~90 MB).
	const baseline = process.memoryUsage().rss;
	const { original, assets, manifest } = loadCase(dir, name);
	await render(original, [manifest], assets);
	const peak = process.resourceUsage().maxRSS * 1024;
	const budget = 5 * original.byteLength + 60 * 1024 * 1024;
	return {
		case: name,
		process_peak_rss_bytes: peak,
		baseline_rss_bytes: baseline,
		render_peak_rss_bytes: peak - baseline,
		render_peak_budget_bytes: budget,
		render_peak_over_budget: +((peak - baseline) / budget).toFixed(3)
	};
}

/**
 * The baseline for memory: pdf-lib's own load + save of the same file in a fresh process, so the
 * render figure can be read as a ratio to what the library alone needs.
 */
export async function measureBareMemory(
	dir: string,
	name: string
): Promise<Record<string, unknown>> {
	const baseline = process.memoryUsage().rss;
	const original = new Uint8Array(readFileSync(join(dir, `${name}.pdf`)));
	const doc = await PDFDocument.load(original, { updateMetadata: false });
	await doc.save();
	return { case: name, bare_peak_rss_bytes: process.resourceUsage().maxRSS * 1024 - baseline };
}

/** Upload budget per signature, new images excepted: the PDF never travels. */
export const UPLOAD_BUDGET = 16 * 1024;

/**
 * Measures what one signature costs on the wire: the POST /api/submissions body the device
 * sends (manifest, a real ES256 assertion over its hash, and the new images base64-encoded),
 * against the contract's size. The PDF never travels, so the body without images must stay
 * under UPLOAD_BUDGET whatever the page count.
 */
export async function measureUpload(dir: string, name: string): Promise<Record<string, unknown>> {
	const { c, original, assets, manifest } = loadCase(dir, name);
	const passkey = await createFakeAuthenticator();
	const stamped = { ...manifest, credentialId: passkey.credentialId };
	const assertion = await passkey.assert({
		challenge: await manifestChallenge(stamped),
		origin: 'https://sealpass.example.cn',
		rpId: 'sealpass.example.cn',
		userHandle: randomUUID()
	});
	const images = Object.fromEntries(
		[...assets].map(([hash, bytes]) => [hash, Buffer.from(bytes).toString('base64')])
	);
	const body = { idempotencyKey: randomUUID(), manifest: stamped, assertion, images };
	const total = Buffer.byteLength(JSON.stringify(body));
	const withoutImages = Buffer.byteLength(JSON.stringify({ ...body, images: {} }));
	return {
		case: name,
		pages: c.pages,
		pdf_bytes: original.byteLength,
		body_bytes: total,
		new_image_bytes: total - withoutImages,
		body_minus_images_bytes: withoutImages,
		budget: UPLOAD_BUDGET,
		ratio_to_budget: +(withoutImages / UPLOAD_BUDGET).toFixed(3),
		ratio_to_pdf: +(withoutImages / original.byteLength).toFixed(5),
		pass: withoutImages <= UPLOAD_BUDGET
	};
}

/**
 * Child-process entry: `prepare DIR`, `time|memory|bare-memory|upload DIR CASE`,
 * `first-page-fixture DIR`; prints one JSON line.
 */
export async function main(argv: string[]): Promise<void> {
	const [mode, dir, name] = argv;
	if (mode === 'prepare') return prepare(dir!);
	if (mode === 'first-page-fixture')
		return void console.log(JSON.stringify(firstPageFixture(dir!)));
	const result =
		mode === 'upload'
			? await measureUpload(dir!, name!)
			: mode === 'memory'
				? await measureMemory(dir!, name!)
				: mode === 'bare-memory'
					? await measureBareMemory(dir!, name!)
					: await measure(dir!, name!);
	console.log(JSON.stringify(result));
}

/**
 * The 200-page contract as a device holds it after a download, for the first-page benchmark in
 * Chromium: its bytes (base64), hash, its definition, the signers the device's user is and the
 * app's pdf.js open options.
 */
function firstPageFixture(dir: string) {
	const rect = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });
	const bytes = readFileSync(join(dir, 'text-200.pdf'));
	const docHash = sha256Hex(new Uint8Array(bytes));
	const a4 = { width: 595.28, height: 841.89 };
	return {
		pdf: bytes.toString('base64'),
		docHash,
		definition: {
			id: 'bench-200',
			docHash,
			revision: 1,
			status: 'sent',
			pages: Array.from({ length: 200 }, () => a4),
			signingOrder: 'sequential',
			// The device's user signs for a company, with their fields where contracts put them
			// (signature and seal on the last page, a riding seam across all), so the view measured
			// is the signer's, with its tools and next-field bar, not a bare reader.
			parties: [{ id: 'p1', name: 'Bench Co.', kind: 'organisation' }],
			signers: [{ id: 's1', partyId: 'p1', name: 'Bench Signer', order: 1 }],
			fields: [
				{
					id: 'f1',
					kind: 'signature',
					signerId: 's1',
					page: 200,
					rect: rect(80, 120, 160, 60),
					required: true
				},
				{
					id: 'f2',
					kind: 'seal',
					signerId: 's1',
					page: 200,
					rect: rect(300, 100, 120, 120),
					required: true
				},
				{
					id: 'f3',
					kind: 'riding-seam',
					signerId: 's1',
					page: 1,
					rect: rect(545, 380, 50, 120),
					required: false
				}
			]
		},
		mySignerIds: ['s1'],
		// How the app opens a document: the bench's pdf.js-alone pages open it the same way.
		openOptions: PDF_OPEN_OPTIONS
	};
}
