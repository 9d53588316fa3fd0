import { build } from 'vite';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, expect } from './support/fixtures';
import { sampleManifest } from '../../src/lib/domain/fixtures';
import { discSealPng, sha256Hex, signaturePng } from '../support/images';
import { cjkFontBytes, textPdf } from '../support/pdfs';

/** Bundles render() once, as browser-ready ES module code, from the same sources the app uses. */
async function bundleRender(): Promise<string> {
	const output = await build({
		configFile: false,
		logLevel: 'silent',
		resolve: { alias: { $lib: resolve('src/lib') } },
		build: {
			write: false,
			minify: false,
			lib: { entry: resolve('src/lib/pdf/render.ts'), formats: ['es'], fileName: 'render' }
		}
	});
	const result = Array.isArray(output) ? output[0]! : output;
	if (!('output' in result)) throw new Error('unexpected vite build result');
	return result.output.find((o) => o.type === 'chunk')!.code;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

test.use({ serviceWorkers: 'block' });

test('P1: render() gives byte-identical PDFs in Chromium and in Node', async ({ page }) => {
	test.setTimeout(120_000);
	const code = await bundleRender();
	const file = join(mkdtempSync(join(tmpdir(), 'sealpass-render-')), 'render.mjs');
	writeFileSync(file, code);
	const { render } = await import(pathToFileURL(file).href);

	const signature = await signaturePng();
	const seal = await discSealPng();
	const manifest = sampleManifest();
	const swap = (h: string) => (h === 'b'.repeat(64) ? sha256Hex(signature) : sha256Hex(seal));
	for (const f of manifest.fills) if ('image' in f) f.image = swap(f.image);
	for (const s of manifest.seals) s.image = swap(s.image);
	for (const s of manifest.ridingSeams) s.image = swap(s.image);
	const original = await textPdf(3, { chinese: true });
	const font = cjkFontBytes();
	const assets: [string, Uint8Array][] = [
		[sha256Hex(signature), signature],
		[sha256Hex(seal), seal]
	];

	const inNode: Uint8Array = await render(original, [manifest], new Map(assets), { font });
	const nodeHash = createHash('sha256').update(inNode).digest('hex');

	// A bare page of our origin (a secure context, for WebCrypto) that serves the bundle; the app's
	// own CSP rightly forbids loading unknown scripts, so the test does not use an app page.
	await page.route('**/__render-test/**', (route) =>
		route.request().url().endsWith('.js')
			? route.fulfill({ contentType: 'text/javascript', body: code })
			: route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>render</title>' })
	);
	await page.goto('/__render-test/');
	const browserHash = await page.evaluate(
		async ({ original, assets, font, manifest }) => {
			const bundle = '/__render-test/render.js';
			const { render } = await import(/* @vite-ignore */ bundle);
			const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
			const out: Uint8Array<ArrayBuffer> = await render(
				bytes(original),
				[manifest],
				new Map(assets.map(([k, v]) => [k, bytes(v)])),
				{ font: bytes(font) }
			);
			const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', out));
			return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
		},
		{
			original: b64(original),
			assets: assets.map(([k, v]) => [k, b64(v)] as [string, string]),
			font: b64(font),
			manifest
		}
	);
	expect(browserHash).toBe(nodeHash);
});
