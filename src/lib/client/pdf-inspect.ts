/**
 * Killable PDF inspection in the browser: `inspectPdf` runs in a dedicated Web
 * Worker that is terminated when the time budget runs out, so a crafted PDF picked for upload or
 * downloaded for signing ends in PDF_TIMEOUT instead of freezing the page. Same API and answers
 * as the server's runner (src/lib/server/pdf/pdf-inspect.ts), so the device refuses exactly what the
 * server would.
 *
 * `?worker` makes Vite bundle pdf-inspect.worker.ts (with pdf-lib) into its own file under
 * _app/immutable: same origin, so the CSP's worker-src 'self' allows it, and a .js file, so the
 * service worker precaches it and inspection works offline.
 */
import PdfInspectWorker from './pdf-inspect.worker?worker';
import {
	DEFAULT_PDF_LIMITS,
	DEFAULT_PDF_TIMEOUT_MS,
	tooLarge,
	type IsolatedPdfInspection,
	type IsolatedPdfOptions
} from '../pdf/inspect-limits';
import type { PdfInspectRequest } from './pdf-inspect.worker';

/**
 * Why: the page must stay responsive whatever the file does to the parser, and a hung parser can
 * only be stopped by terminating its worker. One worker per call: a fresh heap each time, and
 * nothing of a hostile file survives into the next inspection. The bytes are copied, not
 * transferred, so the caller can still store or show them.
 */
export function inspectPdfIsolated(
	bytes: Uint8Array,
	options: IsolatedPdfOptions = {}
): Promise<IsolatedPdfInspection> {
	const { timeoutMs = DEFAULT_PDF_TIMEOUT_MS, ...limits } = options;
	const size = bytes.byteLength;
	const maxBytes = limits.maxBytes ?? DEFAULT_PDF_LIMITS.maxBytes;
	// Same answer inspectPdf would give, without copying an oversized file into a worker.
	if (size > maxBytes) return Promise.resolve(tooLarge(size, maxBytes));
	return new Promise((resolve) => {
		const worker = new PdfInspectWorker({ name: 'pdf-inspect' });
		let settled = false;
		const finish = (result: IsolatedPdfInspection) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			// Stops the thread at once, whatever it is doing; terminate() is synchronous in browsers.
			worker.terminate();
			resolve(result);
		};
		const malformed = (message: string) =>
			finish({ ok: false, code: 'PDF_MALFORMED', size, message });
		const timer = setTimeout(
			() =>
				finish({
					ok: false,
					code: 'PDF_TIMEOUT',
					size,
					message: `Inspection did not finish within ${timeoutMs} ms.`
				}),
			timeoutMs
		);
		worker.onmessage = (event: MessageEvent<IsolatedPdfInspection>) => finish(event.data);
		worker.onerror = (event) => {
			// Keep the error out of the console as an "uncaught" one: it is answered here.
			event.preventDefault();
			malformed(`Inspection failed: ${event.message || 'the worker crashed'}`);
		};
		worker.onmessageerror = () => malformed('Inspection answered with an unreadable message.');
		const request: PdfInspectRequest = { bytes, limits };
		worker.postMessage(request);
	});
}
