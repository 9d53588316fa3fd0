import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, expect } from './support/fixtures';
import { serveBundle } from './support/bundle';
import { sampleManifest } from '../../src/lib/domain/fixtures';
import { discSealPng, sha256Hex, signaturePng } from '../support/images';
import { cjkFontBytes, textPdf } from '../support/pdfs';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

test.use({ serviceWorkers: 'block' });

test('P1: render() gives byte-identical PDFs in Chromium and in Node', async ({ page }) => {
	test.setTimeout(120_000);
	// The same bundle runs in Node and in the page.
	const { url: entry, files, entryFile } = await serveBundle(page, 'src/lib/pdf/render.ts');
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-render-'));
	writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
	for (const [name, body] of files) {
		mkdirSync(dirname(join(dir, name)), { recursive: true });
		writeFileSync(join(dir, name), body);
	}
	const { render } = await import(pathToFileURL(join(dir, entryFile)).href);

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

	const browserHash = await page.evaluate(
		async ({ entry, original, assets, font, manifest }) => {
			const { render } = await import(/* @vite-ignore */ entry);
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
			entry,
			original: b64(original),
			assets: assets.map(([k, v]) => [k, b64(v)] as [string, string]),
			font: b64(font),
			manifest
		}
	);
	expect(browserHash).toBe(nodeHash);
});
