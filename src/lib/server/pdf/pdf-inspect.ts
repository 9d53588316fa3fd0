/**
 * Killable PDF inspection for Node: `inspectPdf` runs in a worker thread with a heap
 * cap, and the thread is terminated when the time budget runs out, so a crafted file ends in
 * PDF_TIMEOUT instead of pinning a core of the server for ever.
 *
 * Where the worker's code comes from — the one hard part. A worker thread needs a JavaScript
 * file on disk, and ours is TypeScript that Vite compiles: the SvelteKit server build does not
 * emit worker files for Node (Vite's `new Worker(new URL(...))` handling is client-only, and its
 * `?worker` output is a browser bundle), vitest runs TS in memory, and Node 20 cannot load TS.
 * So a second, tiny Vite build (vite.node.config.ts, `npm run build:node`) bundles
 * pdf-worker-entry.ts into build/node/pdf-worker.mjs, with npm packages left as imports that
 * resolve from the project's node_modules. Every caller finds it the same way — relative to the
 * project root, found by walking up from this module to package.json — which holds for this
 * file run by vitest (src/lib/server), bundled into the app (build/server/chunks) and bundled
 * into the CLI (build/node). The bundle is (re)built when stale by bin/sealpass.mjs and by the
 * vitest global setup (scripts/node-build.mjs); the app's build must run `build:node` after
 * `vite build`, because adapter-node empties build/ first.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	DEFAULT_PDF_LIMITS,
	DEFAULT_PDF_TIMEOUT_MS,
	tooLarge,
	type IsolatedPdfInspection,
	type IsolatedPdfOptions
} from '../../pdf/inspect-limits';
import type { PdfWorkerInput } from './pdf-worker-entry';

/** Where vite.node.config.ts writes the worker, relative to the project root. */
export const PDF_WORKER_PATH = join('build', 'node', 'pdf-worker.mjs');

export interface NodeIsolatedPdfOptions extends IsolatedPdfOptions {
	/** Old-generation heap cap of the worker; exceeding it kills the worker, not the server. */
	maxMemoryMb?: number;
	/** Called with the worker right after it starts: for tests and monitoring only. */
	onWorker?: (worker: Worker) => void;
}

/** 1 GB: pdf-lib's object graph for a 50 MB file with many small objects needs several hundred MB. */
const DEFAULT_MAX_MEMORY_MB = 1024;

let workerFile: string | undefined;

/**
 * Why: the worker bundle's location must not depend on the current directory or on where Vite
 * put this module's chunk; the project root (nearest package.json) is the same for all of them.
 * Throws a plain Error (an operator problem, not a PDF problem) when the bundle is missing.
 */
export function pdfWorkerFile(): string {
	if (workerFile) return workerFile;
	let dir = dirname(fileURLToPath(import.meta.url));
	while (!existsSync(join(dir, 'package.json'))) {
		const parent = dirname(dir);
		if (parent === dir) throw new Error('SealPass: no package.json above ' + import.meta.url);
		dir = parent;
	}
	const file = join(dir, PDF_WORKER_PATH);
	if (!existsSync(file)) {
		throw new Error(`SealPass: the PDF worker ${file} is missing; run \`npm run build:node\`.`);
	}
	return (workerFile = file);
}

/**
 * Why: untrusted PDFs are parsed with a time and memory limit in a thread that can be killed
 * (untrusted input is parsed with size and time limits). Resolves only after the worker has exited,
 * so a timed-out inspection no longer uses CPU once the answer is known. The bytes are copied to
 * the worker, never transferred: the caller keeps its buffer.
 */
export async function inspectPdfIsolated(
	bytes: Uint8Array,
	options: NodeIsolatedPdfOptions = {}
): Promise<IsolatedPdfInspection> {
	const {
		timeoutMs = DEFAULT_PDF_TIMEOUT_MS,
		maxMemoryMb = DEFAULT_MAX_MEMORY_MB,
		onWorker,
		...limits
	} = options;
	const size = bytes.byteLength;
	const maxBytes = limits.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
	// Same answer inspectPdf would give, without copying an oversized file into a new thread.
	if (size > maxBytes) return tooLarge(size, maxBytes);

	const input: PdfWorkerInput = { bytes, limits };
	const worker = new Worker(pdfWorkerFile(), {
		workerData: input,
		resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb }
	});
	onWorker?.(worker);

	const result = await new Promise<IsolatedPdfInspection>((resolve) => {
		const malformed = (message: string) =>
			resolve({ ok: false, code: 'PDF_MALFORMED', size, message });
		const timer = setTimeout(() => {
			resolve({
				ok: false,
				code: 'PDF_TIMEOUT',
				size,
				message: `Inspection did not finish within ${timeoutMs} ms.`
			});
		}, timeoutMs);
		// The first event wins; `resolve` ignores the later ones (e.g. 'exit' after 'message').
		worker.once('message', (message: IsolatedPdfInspection) => {
			clearTimeout(timer);
			resolve(message);
		});
		// `on`, not `once`: an 'error' without a listener would be thrown in this process.
		worker.on('error', (error: Error & { code?: string }) => {
			clearTimeout(timer);
			// No dedicated code for "too complex": a file that exhausts the heap is treated as damaged.
			malformed(
				error.code === 'ERR_WORKER_OUT_OF_MEMORY'
					? 'Inspection ran out of memory: the file is unusually complex or damaged.'
					: `Inspection failed: ${error.message}`
			);
		});
		worker.once('messageerror', () => {
			clearTimeout(timer);
			malformed('Inspection answered with an unreadable message.');
		});
		worker.once('exit', (code) => {
			clearTimeout(timer);
			malformed(`Inspection stopped without an answer (exit code ${code}).`);
		});
	});
	// Resolves once the thread has really stopped (immediately if it already exited).
	await worker.terminate();
	return result;
}
