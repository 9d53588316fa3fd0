import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';
import { build, type Plugin, type Rollup } from 'vite';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles `entry` on its own into one minified classic script, for a place that runs exactly one
 * (a service worker's importScripts, a plain script tag): a split bundle, or one left with an
 * `import` statement, would fail there at runtime, so anything else is a build error. `plugins`
 * are the sub-build's own, for what only the outer build knows.
 */
async function classicScript(entry: string, name: string, plugins: Plugin[] = []): Promise<string> {
	const output = await build({
		configFile: false,
		logLevel: 'warn',
		publicDir: false,
		plugins,
		resolve: { alias: { $lib: src('./src/lib') } },
		build: {
			write: false,
			minify: true,
			target: 'es2022',
			lib: { entry, formats: ['iife'], name, fileName: () => `${name}.js` }
		}
	});
	const result = (Array.isArray(output) ? output[0] : output) as Rollup.RollupOutput;
	const chunks = result.output.filter((file) => file.type === 'chunk');
	if (chunks.length !== 1) throw new Error(`${entry}: expected one chunk, got ${chunks.length}`);
	return chunks[0]!.code;
}

/**
 * Emits /sw-sync.js into the client build: the app's own outbox drain (src/lib/client/device/sync,
 * entry sw-entry.ts) bundled on its own as one classic script, which the generated service
 * worker loads with workbox.importScripts. A separate small build rather than injectManifest:
 * the generated worker (precache, navigate fallback, update prompt) stays exactly what the PWA
 * tests prove, and the worker runs the same drain code as the windows, not a copy. Emitted as
 * an asset of the client build, so it is in build/client beside the app and in the precache.
 */
function serviceWorkerSync(): Plugin {
	return {
		name: 'sealpass-sw-sync',
		apply: 'build',
		async generateBundle() {
			if (this.environment.config.consumer !== 'client') return;
			const source = await classicScript(
				src('./src/lib/client/device/sync/sw-entry.ts'),
				'sealpassSwSync'
			);
			this.emitFile({ type: 'asset', fileName: 'sw-sync.js', source });
		}
	};
}

/** The virtual module through which the boot script gets this build's pdf.js URLs. */
const PDFJS_URLS = 'virtual:sealpass/pdfjs-urls';
/** The virtual module through which the server gets the boot script's URL (hooks.server.ts). */
const CONTRACT_BOOT_URL = 'virtual:sealpass/contract-boot-url';
/** The dev server's boot script: an empty one, served by the middleware below. */
const DEV_CONTRACT_BOOT = '/contract-boot.js';
/**
 * What the server build holds in place of the boot script's URL: the server is built before
 * the client, which alone names the boot script, so the client build writes its name over this.
 */
const CONTRACT_BOOT_PLACEHOLDER = '/__sealpass-contract-boot-url__.js';

/** Every .js file under `dir`, recursively. */
function scriptsUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return scriptsUnder(path);
		return entry.name.endsWith('.js') ? [path] : [];
	});
}

/**
 * Emits the contract boot script, which app.html runs before the app: the entry
 * src/lib/client/device/contract-boot-entry.ts (`bootContract` with the app's options for opening
 * a document) bundled on its own as one classic script, once the client build has named pdf.js's
 * worker and main module chunk, whose URLs it gets as the module `virtual:sealpass/pdfjs-urls`.
 * On a contract's URL it starts what the first page waits for beside the app's own start
 * instead of after it (the why is on bootContract). A separate file, not inline, because the CSP
 * allows only scripts from 'self'; the server preloads it first (hooks.server.ts).
 *
 * Named by its content (_app/immutable/assets/contract-boot.<hash>.js), like every other file
 * of the build: a fixed name without Cache-Control could be kept by a browser's heuristic
 * caching (and so by the service worker's precache, which fills through the HTTP cache) past a
 * release, and that old script names pdf.js files the new build no longer serves. The server
 * learns the name through `virtual:sealpass/contract-boot-url`: the server build is done before
 * the client build names the script, so it holds a placeholder that the client build replaces
 * in the server's output, before SvelteKit prerenders and the adapter bundles it. In dev the
 * script is an empty one at /contract-boot.js.
 */
function contractBoot(): Plugin {
	let serving = false;
	let bootFile: string | null = null;
	return {
		name: 'sealpass-contract-boot',
		configResolved(config) {
			serving = config.command === 'serve';
		},
		resolveId: (id) => (id === CONTRACT_BOOT_URL ? '\0' + CONTRACT_BOOT_URL : null),
		load: (id) =>
			id === '\0' + CONTRACT_BOOT_URL
				? `export const contractBootUrl = ${JSON.stringify(serving ? DEV_CONTRACT_BOOT : CONTRACT_BOOT_PLACEHOLDER)};`
				: null,
		configureServer(server) {
			server.middlewares.use(DEV_CONTRACT_BOOT, (_request, response) => {
				response.setHeader('content-type', 'text/javascript');
				response.end('');
			});
		},
		async generateBundle(_options, bundle) {
			if (this.environment.config.consumer !== 'client') return;
			const worker = Object.keys(bundle).find((name) =>
				/(^|\/)pdf\.worker\.min\.[^/]*\.mjs$/.test(name)
			);
			// The chunk that holds pdf.js's main module: importing it early evaluates it once, and
			// the app's own import('pdfjs-dist') later resolves to that same module instance.
			const pdfjs = Object.values(bundle).find(
				(file) =>
					file.type === 'chunk' &&
					file.moduleIds.some((id) => /pdfjs-dist\/build\/pdf\.m?js$/.test(id))
			);
			if (!worker || !pdfjs) {
				throw new Error('contract-boot: pdf.js or its worker is not in the client build');
			}
			const urls = {
				pdfjsUrl: '/' + pdfjs.fileName,
				pdfWorkerUrl: '/' + worker
			};
			const source = await classicScript(
				src('./src/lib/client/device/contract-boot-entry.ts'),
				'sealpassContractBoot',
				[
					{
						name: 'sealpass-pdfjs-urls',
						resolveId: (id) => (id === PDFJS_URLS ? '\0' + PDFJS_URLS : null),
						load: (id) =>
							id === '\0' + PDFJS_URLS
								? Object.entries(urls)
										.map(([key, url]) => `export const ${key} = ${JSON.stringify(url)};`)
										.join('\n')
								: null
					}
				]
			);
			const ref = this.emitFile({ type: 'asset', name: 'contract-boot.js', source });
			bootFile = this.getFileName(ref);
		},
		writeBundle() {
			if (this.environment.config.consumer !== 'client' || !bootFile) return;
			// SvelteKit's server output (kit.outDir is the default .svelte-kit). Finding no
			// placeholder is a build error: a page naming no boot script would fail silently.
			const server = src('./.svelte-kit/output/server');
			let replaced = 0;
			for (const file of scriptsUnder(server)) {
				const code = readFileSync(file, 'utf8');
				if (!code.includes(CONTRACT_BOOT_PLACEHOLDER)) continue;
				writeFileSync(file, code.replaceAll(CONTRACT_BOOT_PLACEHOLDER, '/' + bootFile));
				replaced++;
			}
			if (!replaced) {
				throw new Error(
					`contract-boot: no ${CONTRACT_BOOT_PLACEHOLDER} in ${server} to name the script`
				);
			}
		}
	};
}

export default defineConfig({
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			// Offline app: the choice lives on the device. A user's explicit switch wins, then the
			// browser's languages (zh-* → zh-CN), then English.
			strategy: ['localStorage', 'custom-browser', 'baseLocale']
		}),
		sveltekit(),
		SvelteKitPWA({
			strategies: 'generateSW',
			// Never reload by itself: the shell shows "new version — reload" and waits for the user.
			registerType: 'prompt',
			injectRegister: false,
			manifest: {
				id: '/',
				name: '签章通 SealPass',
				short_name: '签章通',
				description: 'Review, sign and seal contracts offline, confirmed with a passkey.',
				lang: 'zh-CN',
				start_url: '/',
				scope: '/',
				display: 'standalone',
				theme_color: '#b3121b',
				background_color: '#ffffff',
				icons: [
					{ src: '/generated/pwa-192x192.png', sizes: '192x192', type: 'image/png' },
					{ src: '/generated/pwa-512x512.png', sizes: '512x512', type: 'image/png' },
					{
						src: '/generated/maskable-512x512.png',
						sizes: '512x512',
						type: 'image/png',
						purpose: 'maskable'
					}
				]
			},
			workbox: {
				// .mjs is the pdf.js worker; wasm/bcmap/pfb/ttf are what pdf.js needs for CJK offline.
				globPatterns: [
					'client/**/*.{js,mjs,css,ico,png,svg,webp,webmanifest,wasm,bcmap,pfb,ttf,woff2}',
					'prerendered/**/*.{html,json}'
				],
				maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
				navigateFallback: '/',
				// API answers are never served from the cache: stale state would be worse than an error.
				navigateFallbackDenylist: [/^\/api\//],
				cleanupOutdatedCaches: true,
				// Background Sync (SPEC Y9): the worker drains the outbox itself when no window is open
				// (bundle emitted by serviceWorkerSync above, from src/lib/client/device/sync/background.ts).
				importScripts: ['/sw-sync.js']
			},
			devOptions: { enabled: false }
		}),
		serviceWorkerSync(),
		contractBoot()
	],
	test: {
		include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
		// Builds build/node (the PDF worker and CLI bundles) once, before any test starts a worker.
		globalSetup: ['scripts/vitest-global-setup.ts'],
		// Random server keys per test file (the keys of a first start); see the file.
		setupFiles: ['src/lib/server/platform/test-keys.ts'],
		environment: 'node',
		testTimeout: 20_000
	}
});
