/**
 * The Web Worker of the verify page: reads the visitor's files and runs the independent
 * verifier on them, off the main thread so a large contract's re-render never freezes the page.
 * Nothing leaves the device: the worker has no network code, only WebCrypto and the bytes given.
 */
import { unpackEvidence } from '$lib/evidence/format';
import { verifyEvidence } from '$lib/evidence/verify';
import { checkPdfSignature } from '$lib/pdf/pdf-signature';
import {
	looksLikePdf,
	looksLikeZip,
	type VerifyMessage,
	type VerifyOutcome,
	type VerifyRequest
} from './protocol';

// One tsconfig (DOM lib) for page and worker code types `self` as a Window; these two members
// are all a dedicated worker needs here.
const scope = self as unknown as {
	onmessage: ((event: MessageEvent<VerifyRequest>) => void) | null;
	postMessage(message: VerifyMessage): void;
};

async function run({ pdf, archive }: VerifyRequest): Promise<VerifyOutcome> {
	scope.postMessage({ type: 'progress', step: 'reading' });
	if (pdf && !looksLikePdf(pdf)) return { kind: 'error', error: 'NOT_PDF', detail: null };
	if (archive && !looksLikeZip(archive)) return { kind: 'error', error: 'NOT_ZIP', detail: null };
	if (!archive) {
		if (!pdf) return { kind: 'error', error: 'NOT_PDF', detail: null };
		scope.postMessage({ type: 'progress', step: 'pdf-signature' });
		return { kind: 'pdf', signature: await checkPdfSignature(pdf) };
	}
	const unpacked = await unpackEvidence(archive);
	if (!unpacked.ok) return { kind: 'error', error: 'ARCHIVE_INVALID', detail: unpacked.message };
	// The verifier checks the passkey signatures, then re-renders, then the PDF signature: the
	// wrapped checker tells the page when the last step starts.
	scope.postMessage({ type: 'progress', step: 'evidence' });
	const report = await verifyEvidence(unpacked.bundle, {
		...(pdf ? { finalPdf: pdf } : {}),
		checkPdfSignature: (bytes) => {
			scope.postMessage({ type: 'progress', step: 'pdf-signature' });
			return checkPdfSignature(bytes);
		}
	});
	return { kind: 'evidence', report, pdfGiven: pdf !== null };
}

scope.onmessage = (event) => {
	void run(event.data).then(
		(outcome) => scope.postMessage({ type: 'done', outcome }),
		(error: unknown) =>
			scope.postMessage({
				type: 'done',
				outcome: {
					kind: 'error',
					error: 'CRASHED',
					detail: error instanceof Error ? error.message : String(error)
				}
			})
	);
};
