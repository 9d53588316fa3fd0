import type { Manifest } from '$lib/domain/manifest';
import { toErrorCode } from '$lib/domain/errors';
import { ApiError } from '../api';
import PreviewWorker from './preview.worker?worker';
import type { PreviewReply, PreviewRequest } from './preview.worker';

export type PreviewPhase = 'reading' | 'rendering' | 'hashing' | 'opening';

/** What the signer confirms: the rendered bytes and their SHA-256 (OutboxRow.previewHash). */
export interface Preview {
	pdf: Uint8Array<ArrayBuffer>;
	sha256: string;
}

/**
 * Renders `render(original, accepted + mine)` in a module worker: the very bytes the server will
 * produce once the manifest is accepted (render is deterministic, SPEC P), computed from the device
 * copy with no network. Reports the worker's phases for the progress display; `signal` terminates
 * the worker (the signer closed the dialog), which is the only way to stop a long render. Throws
 * ApiError with render's code (IMAGE_MISSING, PDF_MALFORMED, …).
 */
export function renderPreview(
	input: {
		original: Uint8Array;
		manifests: Manifest[];
		assets: Map<string, Uint8Array>;
		font?: Uint8Array;
	},
	onPhase: (phase: PreviewPhase) => void = () => {},
	signal?: AbortSignal
): Promise<Preview> {
	return new Promise((resolve, reject) => {
		const worker = new PreviewWorker({ name: 'preview' });
		const stop = () => {
			worker.terminate();
			reject(new DOMException('Preview cancelled', 'AbortError'));
		};
		if (signal?.aborted) return stop();
		signal?.addEventListener('abort', stop, { once: true });
		const finish = () => {
			signal?.removeEventListener('abort', stop);
			worker.terminate();
		};
		worker.onmessage = (event: MessageEvent<PreviewReply>) => {
			const reply = event.data;
			if (reply.kind === 'phase') return onPhase(reply.phase);
			finish();
			if (reply.kind === 'done') resolve({ pdf: reply.pdf, sha256: reply.sha256 });
			else reject(new ApiError(toErrorCode(reply.code), 0, reply.message));
		};
		worker.onerror = (event) => {
			finish();
			reject(new ApiError('INTERNAL', 0, event.message || 'The preview worker failed'));
		};
		const request: PreviewRequest = {
			original: input.original,
			manifests: input.manifests,
			assets: [...input.assets],
			font: input.font
		};
		worker.postMessage(request);
	});
}
