/**
 * Runs one check of the visitor's files in a fresh worker (verify.worker.ts) and answers its
 * outcome. `?worker` makes Vite bundle the worker into its own same-origin .js file under
 * _app/immutable: the CSP's worker-src 'self' allows it and the service worker precaches it, so
 * the page verifies with the network off.
 */
import VerifyWorker from './verify.worker?worker';
import type { VerifyMessage, VerifyOutcome, VerifyRequest, VerifyStep } from './protocol';

export interface VerifyRun {
	result: Promise<VerifyOutcome>;
	/** Stops the worker (the visitor picked other files); `result` then never settles. */
	cancel(): void;
}

/**
 * One worker per check: a new pick cancels the running one, and nothing of a hostile file
 * survives into the next check. The bytes are copied, so the page keeps its own.
 */
export function verifyInWorker(
	request: VerifyRequest,
	onProgress: (step: VerifyStep) => void
): VerifyRun {
	const worker = new VerifyWorker({ name: 'verify' });
	const result = new Promise<VerifyOutcome>((resolve) => {
		const crashed = (detail: string) => {
			worker.terminate();
			resolve({ kind: 'error', error: 'CRASHED', detail });
		};
		worker.onmessage = (event: MessageEvent<VerifyMessage>) => {
			if (event.data.type === 'progress') {
				onProgress(event.data.step);
			} else {
				worker.terminate();
				resolve(event.data.outcome);
			}
		};
		worker.onerror = (event) => {
			event.preventDefault();
			crashed(event.message || 'the worker stopped');
		};
		worker.onmessageerror = () => crashed('unreadable message from the worker');
	});
	worker.postMessage(request);
	return { result, cancel: () => worker.terminate() };
}
