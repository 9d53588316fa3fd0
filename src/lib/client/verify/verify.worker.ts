/**
 * The Web Worker of the verify page: reads the visitor's files and runs the independent
 * verifier on them, off the main thread so a large contract's re-render never freezes the page.
 * Nothing leaves the device: the one request it makes is for the site's own font (siteFont).
 */
import { resolveFont } from '$lib/evidence/font';
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
import { siteFont } from './site-font';

// One tsconfig (DOM lib) for page and worker code types `self` as a Window; these two members
// are all a dedicated worker needs here.
const scope = self as unknown as {
	onmessage: ((event: MessageEvent<VerifyRequest>) => void) | null;
	postMessage(message: VerifyMessage): void;
};

async function run({ pdf, archive, font: picked }: VerifyRequest): Promise<VerifyOutcome> {
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
	const named = unpacked.bundle.font;
	let font: Uint8Array | undefined;
	// The font the archive names, when the re-render needs one the archive does not carry: the
	// visitor's pick, else the site's. Any other font is refused, never used.
	if (named && !named.bytes && (pdf ?? unpacked.bundle.finalPdf)) {
		scope.postMessage({ type: 'progress', step: 'font' });
		const resolved = await resolveFont(named, picked ?? (await siteFont(named.sha256)));
		if (!resolved.ok) return { kind: 'font', refusal: resolved, picked: picked !== null };
		font = resolved.font ?? undefined;
	}
	// The verifier checks the passkey signatures, then re-renders, then the PDF signature: the
	// wrapped checker tells the page when the last step starts.
	scope.postMessage({ type: 'progress', step: 'evidence' });
	const report = await verifyEvidence(unpacked.bundle, {
		...(pdf ? { finalPdf: pdf } : {}),
		...(font ? { font } : {}),
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
