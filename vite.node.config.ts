// The second, Node-only Vite build (`npm run build:node`): bundles the code that Node must run as
// a file of its own — the PDF inspection worker thread and the `sealpass` CLI — from TypeScript
// into build/node/*.mjs. The SvelteKit build cannot produce these (Vite handles Node worker
// files only for the browser), and Node 20 cannot run TypeScript. npm packages stay imports
// (SSR build), resolved at run time from the project's node_modules, so the bundles are small
// and use exactly the installed @cantoo/pdf-lib. See src/lib/server/pdf/pdf-inspect.ts.
//
// Run after `vite build`: adapter-node empties build/ when it writes the app.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
	// Nothing from static/ belongs in a Node bundle.
	publicDir: false,
	resolve: { alias: { $lib: src('./src/lib') } },
	build: {
		ssr: true,
		target: 'node20',
		outDir: 'build/node',
		emptyOutDir: true,
		// Readable stack traces from the CLI and the worker matter more than a few kilobytes.
		minify: false,
		sourcemap: true,
		rolldownOptions: {
			input: {
				cli: src('./src/lib/server/pdf/cli.ts'),
				'pdf-worker': src('./src/lib/server/pdf/pdf-worker-entry.ts'),
				// The render benchmark runs the production code path, in Node, from bench/run.mjs.
				bench: src('./bench/render-bench.ts'),
				// The review benchmark (docs/perf.md): list/detail queries and ingest throughput.
				'review-bench': src('./bench/review-bench.ts'),
				// @libpdf/core against our reader on render's path (docs/perf.md); a measurement only.
				'libpdf-bench': src('./bench/libpdf-bench.ts'),
				// Finalisation (render + certificate + PAdES) against render alone (docs/perf.md).
				'finalise-bench': src('./bench/finalise-bench.ts'),
				// The S3 blob store against the local folder (docs/perf.md).
				'blobs-bench': src('./bench/blobs-bench.ts')
			},
			output: {
				format: 'es',
				// Fixed entry names: src/lib/server/pdf/pdf-inspect.ts and bin/sealpass.mjs look them up.
				entryFileNames: '[name].mjs',
				chunkFileNames: 'chunks/[name]-[hash].mjs'
			}
		}
	}
});
