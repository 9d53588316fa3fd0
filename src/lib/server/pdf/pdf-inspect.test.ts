import type { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNodeBuildInChild } from '../../../../scripts/node-build.mjs';
import { inspectPdf } from '../../pdf/inspect';
import { inspectPdfIsolated, pdfWorkerFile } from './pdf-inspect';
import {
	hugeObjectCountPdf,
	multiPagePdf,
	qpdfEncrypted,
	truncated
} from '../../../../tests/support/test-pdfs';

/** Starts an isolated inspection and keeps hold of its worker, to check it really ended. */
async function inspectWatched(
	bytes: Uint8Array,
	options: Parameters<typeof inspectPdfIsolated>[1]
) {
	let worker: Worker | undefined;
	let exitCode: number | undefined;
	const result = await inspectPdfIsolated(bytes, {
		...options,
		onWorker: (w) => {
			worker = w;
			w.once('exit', (code) => (exitCode = code));
		}
	});
	return { result, worker, exitCode };
}

// The worker runs the bundled build/node/pdf-worker.mjs, exactly as the server and the CLI do.
// The vitest global setup normally built it already; this is a no-op then.
beforeAll(() => ensureNodeBuildInChild(), 120_000);

describe('inspectPdfIsolated (Node worker thread)', () => {
	it('finds the bundled worker relative to the project root', () => {
		expect(pdfWorkerFile()).toMatch(/build[/\\]node[/\\]pdf-worker\.mjs$/);
		expect(existsSync(pdfWorkerFile())).toBe(true);
	});

	it('answers exactly what inspectPdf answers, and the worker is gone afterwards', async () => {
		const pdf = await multiPagePdf();
		const { result, worker, exitCode } = await inspectWatched(pdf, {});
		expect(result).toEqual(await inspectPdf(pdf));
		expect(result).toMatchObject({ ok: true, pages: 3 });
		expect(worker?.threadId).toBe(-1);
		expect(exitCode).toBeTypeOf('number');
	});

	it('passes the limits and the refusals through', async () => {
		const pdf = await multiPagePdf();
		expect(await inspectPdfIsolated(pdf, { maxPages: 2 })).toMatchObject({
			code: 'PDF_TOO_MANY_PAGES',
			pages: 3
		});
		expect(await inspectPdfIsolated(qpdfEncrypted(pdf))).toMatchObject({ code: 'PDF_ENCRYPTED' });
		expect(await inspectPdfIsolated(truncated(pdf, 0.5))).toMatchObject({
			code: 'PDF_MALFORMED'
		});
	});

	it('refuses an oversized file without starting a worker', async () => {
		const { result, worker } = await inspectWatched(new Uint8Array(2000), { maxBytes: 1000 });
		expect(result).toMatchObject({ ok: false, code: 'PDF_TOO_LARGE', size: 2000 });
		expect(worker).toBeUndefined();
	});

	it('kills the worker of a pathological PDF and answers PDF_TIMEOUT', async () => {
		// 400 000 objects take pdf-lib many seconds (about 11 s on the dev machine); the budget is
		// 1.5 s. The answer must come near the budget, not when the parse would have finished.
		const pdf = hugeObjectCountPdf();
		const started = performance.now();
		const { result, worker, exitCode } = await inspectWatched(pdf, { timeoutMs: 1500 });
		const elapsed = performance.now() - started;
		expect(result).toEqual({
			ok: false,
			code: 'PDF_TIMEOUT',
			size: pdf.byteLength,
			message: 'Inspection did not finish within 1500 ms.'
		});
		expect(elapsed).toBeGreaterThanOrEqual(1500);
		expect(elapsed).toBeLessThan(6000);
		// Terminated, not left parsing in the background: the thread is gone and exited with 1.
		expect(worker?.threadId).toBe(-1);
		expect(exitCode).toBe(1);
	});

	it('answers PDF_MALFORMED when the worker runs out of its heap', async () => {
		const { result, worker } = await inspectWatched(hugeObjectCountPdf(), { maxMemoryMb: 16 });
		expect(result).toMatchObject({ ok: false, code: 'PDF_MALFORMED' });
		expect((result as { message: string }).message).toMatch(/memory/);
		expect(worker?.threadId).toBe(-1);
	});
});
