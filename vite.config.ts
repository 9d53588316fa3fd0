import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';
import { build, type Plugin, type Rollup } from 'vite';
import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Emits /sw-sync.js into the client build: the app's own outbox drain (src/lib/client/sync,
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
			const output = await build({
				configFile: false,
				logLevel: 'warn',
				publicDir: false,
				resolve: { alias: { $lib: src('./src/lib') } },
				build: {
					write: false,
					minify: true,
					target: 'es2022',
					lib: {
						entry: src('./src/lib/client/sync/sw-entry.ts'),
						formats: ['iife'],
						name: 'sealpassSwSync',
						fileName: () => 'sw-sync.js'
					}
				}
			});
			const result = (Array.isArray(output) ? output[0] : output) as Rollup.RollupOutput;
			const chunks = result.output.filter((file) => file.type === 'chunk');
			// importScripts takes one classic script: a split bundle would fail to load.
			if (chunks.length !== 1) throw new Error(`sw-sync: expected one chunk, got ${chunks.length}`);
			this.emitFile({ type: 'asset', fileName: 'sw-sync.js', source: chunks[0]!.code });
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
				// Background Sync (issue 4): the worker drains the outbox itself when no window is open
				// (bundle emitted by serviceWorkerSync above, from src/lib/client/sync/background.ts).
				importScripts: ['/sw-sync.js']
			},
			devOptions: { enabled: false }
		}),
		serviceWorkerSync()
	],
	test: {
		include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
		// Builds build/node (the PDF worker and CLI bundles) once, before any test starts a worker.
		globalSetup: ['scripts/vitest-global-setup.ts'],
		environment: 'node',
		testTimeout: 20_000
	}
});
