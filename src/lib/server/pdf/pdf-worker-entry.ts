/**
 * The worker-thread side of `inspectPdfIsolated` (pdf-inspect.ts). Node cannot run this
 * TypeScript file itself, so vite.node.config.ts bundles it to build/node/pdf-worker.mjs, and
 * that bundle is what the server, the CLI and the tests start. One inspection per worker: the
 * thread exits when the answer is posted, so nothing a crafted file left behind can leak into
 * the next one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { inspectPdf, type PdfLimits } from '../../pdf/inspect';

/** What pdf-inspect.ts hands the worker through `workerData` (structured-cloned, not shared). */
export interface PdfWorkerInput {
	bytes: Uint8Array;
	limits: PdfLimits;
}

const input = workerData as PdfWorkerInput;
// inspectPdf answers every bad input with a code; an exception here is a bug or a crash, which
// the parent sees as the worker's 'error' event.
parentPort?.postMessage(await inspectPdf(input.bytes, input.limits));
