import { createHash } from 'node:crypto';
import { HttpTimestampAuthority, PDF, PdfArray, PdfString } from '@libpdf/core';
import { LazyReadError } from '$lib/pdf/pdf-reader';
import { fillSignatureSlot, prepareSignatureSlot } from '$lib/pdf/signature-update';
import { cadesDetached } from './cades';
import type { SigningIdentity } from './identity';

export interface SignPdfOptions {
	/** The signature's claimed time (CMS signing-time and /M); fixed so a re-run gives the same bytes. */
	signingTime: Date;
	/** RFC 3161 time-stamp authority: given, the signature is PAdES B-T, else B-B. */
	tsaUrl?: string;
	reason?: string;
	location?: string;
}

/** Why a document could not be signed. */
export class SigningError extends Error {
	constructor(
		readonly code: 'CERT_NOT_VALID' | 'NOT_INCREMENTAL' | 'SIGN_FAILED',
		message: string
	) {
		super(message);
		this.name = 'SigningError';
	}
}

/** Room for the CMS: the signature, the certificates and a time-stamp token with its chain. */
const PLACEHOLDER_BYTES = 16 * 1024;

/**
 * Seals a finished document with one PAdES signature (subFilter ETSI.CAdES.detached, with the
 * signing-certificate-v2 attribute), appended as an incremental update: the input stays an
 * identical prefix of the output, so the rendered contract and its certificate pages are
 * byte for byte what was signed. With `tsaUrl`, the signature value is time-stamped (B-T), so
 * its time no longer rests on this server's clock. B-B output is repeatable for the same input,
 * time and RSA identity.
 */
export async function signPdf(
	pdf: Uint8Array,
	identity: SigningIdentity,
	opts: SignPdfOptions
): Promise<Uint8Array> {
	const at = opts.signingTime.getTime();
	if (at < identity.notBefore.getTime() || at > identity.notAfter.getTime()) {
		// Readers reject a signature made outside the certificate's validity; refuse it here.
		throw new SigningError(
			'CERT_NOT_VALID',
			`The signing certificate (${identity.subject}) is valid from ` +
				`${identity.notBefore.toISOString()} to ${identity.notAfter.toISOString()}, ` +
				`not at ${opts.signingTime.toISOString()}`
		);
	}
	let signed: Uint8Array;
	try {
		signed = await signLazily(pdf, identity, opts);
	} catch (error) {
		if (!(error instanceof LazyReadError)) {
			throw new SigningError('SIGN_FAILED', `Signing failed: ${(error as Error).message}`);
		}
		// A structure our reader does not handle: @libpdf/core parses (and can repair) it.
		signed = await signWithFullParse(pdf, identity, opts);
	}
	// The promise to every reader: signing only appended. A rewrite would change what the
	// certificate pages' hashes and the signers' evidence refer to.
	if (!isPrefix(pdf, signed)) {
		throw new SigningError(
			'NOT_INCREMENTAL',
			'The signed file does not begin with the input bytes'
		);
	}
	return signed;
}

/**
 * Our own incremental update (src/lib/pdf/signature-update.ts) around a CMS built over its byte
 * range: only the trailer, catalog and form are read, where @libpdf/core parses every object of
 * the file to sign it and then parses the signed file again.
 */
async function signLazily(
	pdf: Uint8Array,
	identity: SigningIdentity,
	opts: SignPdfOptions
): Promise<Uint8Array> {
	const slot = prepareSignatureSlot(pdf, {
		subFilter: 'ETSI.CAdES.detached',
		signingTime: opts.signingTime,
		reason: opts.reason,
		location: opts.location,
		contentsBytes: PLACEHOLDER_BYTES,
		fileId: fileIdOf(pdf)
	});
	const [, a, c, d] = slot.byteRange;
	const digest = createHash('sha256')
		.update(slot.bytes.subarray(0, a))
		.update(slot.bytes.subarray(c, c + d))
		.digest();
	const der = await cadesDetached({
		signer: identity.signer,
		digest: new Uint8Array(digest),
		signingTime: opts.signingTime,
		timestampAuthority: opts.tsaUrl ? new HttpTimestampAuthority(opts.tsaUrl) : undefined
	});
	return fillSignatureSlot(slot, der);
}

/** @libpdf/core's signing, for files the lazy reader does not handle. */
async function signWithFullParse(
	pdf: Uint8Array,
	identity: SigningIdentity,
	opts: SignPdfOptions
): Promise<Uint8Array> {
	try {
		const doc = await PDF.load(pdf);
		fixFileId(doc, pdf);
		const result = await doc.sign({
			signer: identity.signer,
			signingTime: opts.signingTime,
			reason: opts.reason,
			location: opts.location,
			subFilter: 'ETSI.CAdES.detached',
			digestAlgorithm: 'SHA-256',
			level: opts.tsaUrl ? 'B-T' : 'B-B',
			timestampAuthority: opts.tsaUrl ? new HttpTimestampAuthority(opts.tsaUrl) : undefined,
			estimatedSize: PLACEHOLDER_BYTES
		});
		if (result.warnings.length > 0) {
			throw new Error(result.warnings.map((w) => `${w.code}: ${w.message}`).join('; '));
		}
		return result.bytes;
	} catch (error) {
		throw new SigningError('SIGN_FAILED', `Signing failed: ${(error as Error).message}`);
	}
}

/**
 * A file without a trailer /ID (our renderer writes none) would get a random one in the signed
 * update, and the same contract would sign to different bytes each time. The ID is instead made
 * from the bytes being signed, as the PDF standard suggests (a hash of the file's content).
 */
function fixFileId(doc: PDF, pdf: Uint8Array): void {
	const trailer = doc.context.info.trailer;
	if (trailer.has('ID')) return;
	const id = fileIdOf(pdf);
	trailer.set('ID', PdfArray.of(new PdfString(id, 'hex'), new PdfString(id.slice(), 'hex')));
}

/** The identifier a file without one gets: the first 16 bytes of its SHA-256. */
function fileIdOf(pdf: Uint8Array): Uint8Array {
	return new Uint8Array(createHash('sha256').update(pdf).digest().subarray(0, 16));
}

function isPrefix(prefix: Uint8Array, bytes: Uint8Array): boolean {
	if (bytes.length <= prefix.length) return false;
	const head = Buffer.from(bytes.buffer, bytes.byteOffset, prefix.length);
	return head.equals(Buffer.from(prefix.buffer, prefix.byteOffset, prefix.length));
}
