/**
 * The Web Worker side of renderPreview (preview.ts), bundled by Vite through `?worker`. It runs
 * the same render() the server runs, off the page's thread, so a 200-page contract does not
 * freeze the signing screen; the page terminates it when the signer leaves.
 */
import { render, RenderError } from '../../pdf/render';
import { sha256Hex } from '../../domain/canonical';
import type { Manifest } from '../../domain/manifest';

/** The one message the page sends; the bytes are transferred, not copied. */
export interface PreviewRequest {
	original: Uint8Array;
	manifests: Manifest[];
	assets: [string, Uint8Array][];
	font?: Uint8Array;
}

export type PreviewReply =
	| { kind: 'phase'; phase: 'rendering' | 'hashing' }
	| { kind: 'done'; pdf: Uint8Array<ArrayBuffer>; sha256: string }
	| { kind: 'error'; code: string; message: string };

// One tsconfig (DOM lib) for page and worker code types `self` as a Window.
const scope = self as unknown as {
	onmessage: ((event: MessageEvent<PreviewRequest>) => void) | null;
	postMessage(message: PreviewReply, transfer?: Transferable[]): void;
};

scope.onmessage = (event) => {
	const { original, manifests, assets, font } = event.data;
	void (async () => {
		try {
			scope.postMessage({ kind: 'phase', phase: 'rendering' });
			const pdf = await render(original, manifests, new Map(assets), font ? { font } : {});
			scope.postMessage({ kind: 'phase', phase: 'hashing' });
			const sha256 = await sha256Hex(pdf);
			scope.postMessage({ kind: 'done', pdf, sha256 }, [pdf.buffer]);
		} catch (error) {
			scope.postMessage({
				kind: 'error',
				code: error instanceof RenderError ? error.code : 'INTERNAL',
				message: error instanceof Error ? error.message : String(error)
			});
		}
	})();
};
