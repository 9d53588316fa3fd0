import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';

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
				// Background Sync (issue 4): generateSW + importScripts of a small handler that wakes
				// the open windows' sync engine, rather than injectManifest with a worker that drains
				// the outbox itself. Why: the drain needs the session cookie, Dexie and the Web Lock
				// that windows already coordinate on; a second drainer in the worker would race the
				// windows' runs and double every code path. The generated worker (precache, navigate
				// fallback, update prompt) stays exactly what the PWA tests prove. The cost: with no
				// window open the browser's sync event uploads nothing; the next app start, `online`
				// or visibility trigger does, and nothing is lost meanwhile.
				importScripts: ['/sw-sync.js']
			},
			devOptions: { enabled: false }
		})
	],
	test: {
		include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
		// Builds build/node (the PDF worker and CLI bundles) once, before any test starts a worker.
		globalSetup: ['scripts/vitest-global-setup.ts'],
		environment: 'node',
		testTimeout: 20_000
	}
});
