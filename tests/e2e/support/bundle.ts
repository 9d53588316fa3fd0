import { build, type Rollup } from 'vite';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';

/**
 * Bundles one of our browser modules (with its workers) from the same sources the app builds,
 * and serves it to the page under `/__bundle/`, on our own origin (a secure context) but
 * outside the app's CSP, which rightly refuses unknown scripts. Returns the entry URL and the
 * bundle's files, so a test can run the very same code in Node too.
 */
export async function serveBundle(
	page: Page,
	entry: string
): Promise<{ url: string; files: Map<string, string | Uint8Array>; entryFile: string }> {
	const output = await build({
		configFile: false,
		logLevel: 'silent',
		base: '/__bundle/',
		resolve: { alias: { $lib: resolve('src/lib') } },
		worker: { format: 'es' },
		build: {
			write: false,
			minify: false,
			lib: { entry: resolve(entry), formats: ['es'], fileName: 'entry' }
		}
	});
	const result = (Array.isArray(output) ? output[0] : output) as Rollup.RollupOutput;
	const files = new Map<string, string | Uint8Array>();
	for (const file of result.output) {
		files.set(file.fileName, file.type === 'chunk' ? file.code : file.source);
	}
	await page.route('**/__bundle/**', (route) => {
		const name = new URL(route.request().url()).pathname.replace(/^\/__bundle\//, '');
		const body = files.get(name);
		if (name === '') {
			return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>t</title>' });
		}
		if (body === undefined) return route.fulfill({ status: 404, body: 'not in bundle' });
		return route.fulfill({
			contentType: 'text/javascript',
			body: typeof body === 'string' ? body : Buffer.from(body)
		});
	});
	await page.goto('/__bundle/');
	const entryFile = result.output.find((f) => f.type === 'chunk' && f.isEntry)!.fileName;
	return { url: `/__bundle/${entryFile}`, files, entryFile };
}
