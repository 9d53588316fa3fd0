import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/*
 * Checks the last signature of a PDF from its bytes alone: the byte range, the CMS messageDigest,
 * the signer's signature over its signed attributes and, when present, the RFC 3161 time-stamp
 * token on the signature value. Pure, WebCrypto only (through pkijs), so the evidence verifier
 * runs the same check in Node and in a browser worker. Whether the certificate is trusted is
 * the reader's decision: the subject and issuer are reported, the chain is not judged.
 */

export interface PdfSignatureReport {
	/** A signature dictionary with /ByteRange and /Contents was found (the last one in the file). */
	present: boolean;
	/** SHA-256 over the byte range equals the CMS messageDigest AND the CMS signature verifies with the signer certificate. */
	valid: boolean;
	/** The byte range covers the whole file except the /Contents hole (nothing appended after it). */
	coversWholeFile: boolean;
	/** End of the byte range = length of the signed revision; the signed bytes are pdf.subarray(0, signedLength) minus the hole. */
	signedLength: number;
	subFilter: string | null;
	signer: { subject: string; issuer: string; certificateDer: Uint8Array } | null;
	/** The CMS signing-time attribute, ISO 8601, or null. */
	signingTime: string | null;
	/** RFC 3161 timestamp token (B-T): its genTime and whether its imprint matches the signature value and its signature verifies. */
	timestamp: { time: string; valid: boolean } | null;
	/** Coded problems, e.g. 'NO_SIGNATURE', 'DIGEST_MISMATCH', 'SIGNATURE_INVALID', 'NOT_WHOLE_FILE', 'UNSUPPORTED'. */
	problems: string[];
}

/** Every code `problems` may hold. */
export const PDF_SIGNATURE_PROBLEMS = {
	/** No /ByteRange signature dictionary in the file. */
	NO_SIGNATURE: 'NO_SIGNATURE',
	/** The byte range is not four offsets inside the file around a hex /Contents string. */
	BYTE_RANGE_INVALID: 'BYTE_RANGE_INVALID',
	/** /Contents is not a CMS SignedData with a signer. */
	CMS_INVALID: 'CMS_INVALID',
	/** The signed bytes do not hash to the messageDigest: the document changed after signing. */
	DIGEST_MISMATCH: 'DIGEST_MISMATCH',
	/** The signer's signature over the signed attributes does not verify with its certificate. */
	SIGNATURE_INVALID: 'SIGNATURE_INVALID',
	/** The signer's certificate is not in the CMS, so the signature cannot be checked. */
	SIGNER_CERT_MISSING: 'SIGNER_CERT_MISSING',
	/** Bytes follow the signed range: a later revision the signature does not cover. */
	NOT_WHOLE_FILE: 'NOT_WHOLE_FILE',
	/** The time-stamp token's imprint or signature does not verify. */
	TIMESTAMP_INVALID: 'TIMESTAMP_INVALID',
	/** A digest or signature algorithm this check does not know, or no signed attributes. */
	UNSUPPORTED: 'UNSUPPORTED'
} as const;
export type PdfSignatureProblem = keyof typeof PDF_SIGNATURE_PROBLEMS;

const OID = {
	signedData: '1.2.840.113549.1.7.2',
	messageDigest: '1.2.840.113549.1.9.4',
	signingTime: '1.2.840.113549.1.9.5',
	timeStampToken: '1.2.840.113549.1.9.16.2.14',
	subjectKeyIdentifier: '2.5.29.14'
};

const DIGESTS: Record<string, string> = {
	'1.3.14.3.2.26': 'SHA-1',
	'2.16.840.1.101.3.4.2.1': 'SHA-256',
	'2.16.840.1.101.3.4.2.2': 'SHA-384',
	'2.16.840.1.101.3.4.2.3': 'SHA-512'
};

const NAME_KEYS: Record<string, string> = {
	'2.5.4.3': 'CN',
	'2.5.4.5': 'serialNumber',
	'2.5.4.6': 'C',
	'2.5.4.7': 'L',
	'2.5.4.8': 'ST',
	'2.5.4.10': 'O',
	'2.5.4.11': 'OU',
	'1.2.840.113549.1.9.1': 'E'
};

/** Reads and checks the last signature in `pdf`; never throws for a malformed file. */
export async function checkPdfSignature(pdf: Uint8Array): Promise<PdfSignatureReport> {
	const report: PdfSignatureReport = {
		present: false,
		valid: false,
		coversWholeFile: false,
		signedLength: 0,
		subFilter: null,
		signer: null,
		signingTime: null,
		timestamp: null,
		problems: []
	};
	const found = findSignature(pdf);
	if (!found) {
		report.problems.push('NO_SIGNATURE');
		return report;
	}
	report.present = true;
	report.subFilter = found.subFilter;
	if (!found.range) {
		report.problems.push('BYTE_RANGE_INVALID');
		return report;
	}
	if (found.subFilter === 'ETSI.RFC3161') {
		// A document time-stamp (B-LTA) holds a bare token, not a signer's CMS.
		report.problems.push('UNSUPPORTED');
		return report;
	}
	const [a, b, c, d] = found.range;
	report.signedLength = c + d;
	report.coversWholeFile = a === 0 && c + d === pdf.length;
	if (!report.coversWholeFile) report.problems.push('NOT_WHOLE_FILE');

	let signed: pkijs.SignedData;
	let signerInfo: pkijs.SignerInfo;
	try {
		const info = new pkijs.ContentInfo({ schema: parseDer(found.contents) });
		if (info.contentType !== OID.signedData) throw new Error('not SignedData');
		signed = new pkijs.SignedData({ schema: info.content });
		if (signed.signerInfos.length === 0) throw new Error('no signer');
		signerInfo = signed.signerInfos[0]!;
	} catch {
		report.problems.push('CMS_INVALID');
		return report;
	}

	const cert = signerCertificate(signed, signerInfo);
	if (cert) {
		report.signer = {
			subject: nameText(cert.subject),
			issuer: nameText(cert.issuer),
			certificateDer: new Uint8Array(cert.toSchema().toBER(false))
		};
	}
	report.signingTime = attributeTime(signerInfo.signedAttrs, OID.signingTime);

	const content = new Uint8Array(b + d);
	content.set(pdf.subarray(a, a + b), 0);
	content.set(pdf.subarray(c, c + d), b);
	const verdict = await verifySignerInfo(signerInfo, cert, content);
	report.problems.push(...verdict.problems);
	report.valid = verdict.digestOk && verdict.signatureOk;

	const token = unsignedAttribute(signerInfo, OID.timeStampToken);
	if (token) {
		report.timestamp = await checkTimestamp(token, signerInfo.signature.valueBlock.valueHexView);
		if (!report.timestamp.valid) report.problems.push('TIMESTAMP_INVALID');
	}
	return report;
}

interface FoundSignature {
	range: [number, number, number, number] | null;
	contents: Uint8Array;
	subFilter: string | null;
}

const latin1 = new TextDecoder('latin1');

/**
 * The last `/ByteRange` in the file and the /Contents hole it leaves. The hole is read from the
 * byte range itself (from `<` to `>`), as signature validators do: the bytes a signature covers
 * are whatever the range says, wherever a dictionary parser might find /Contents.
 */
function findSignature(pdf: Uint8Array): FoundSignature | null {
	const at = lastIndexOf(pdf, '/ByteRange');
	if (at < 0) return null;
	const after = latin1.decode(pdf.subarray(at, at + 120));
	const match = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(after);
	// The dictionary around the range: back to its object header, on past the hole.
	const start = Math.max(0, lastIndexOf(pdf, ' obj', at, 64 * 1024));
	let range: FoundSignature['range'] = null;
	let contents: Uint8Array = new Uint8Array(0);
	let dictEnd = Math.min(pdf.length, at + 4096);
	if (match) {
		const [a, b, c, d] = match.slice(1).map(Number) as [number, number, number, number];
		const sane =
			[a, b, c, d].every(Number.isSafeInteger) &&
			a + b < c &&
			c + d <= pdf.length &&
			pdf[a + b] === 0x3c /* < */ &&
			pdf[c - 1] === 0x3e; /* > */
		if (sane) {
			range = [a, b, c, d];
			contents = hexBytes(pdf.subarray(a + b + 1, c - 1));
			dictEnd = Math.min(pdf.length, c + 4096);
		}
	}
	const around =
		range === null
			? latin1.decode(pdf.subarray(start, dictEnd))
			: latin1.decode(pdf.subarray(start, range[0] + range[1])) +
				latin1.decode(pdf.subarray(range[2], dictEnd));
	const dictText = around.split('endobj')[0] ?? around;
	const subFilter = /\/SubFilter\s*\/([^\s/<>[\]()]+)/.exec(dictText)?.[1] ?? null;
	return { range, contents, subFilter };
}

/** Last index of an ASCII needle before `end`, looking back at most `window` bytes. */
function lastIndexOf(bytes: Uint8Array, needle: string, end = bytes.length, window = Infinity) {
	const n = Array.from(needle, (ch) => ch.charCodeAt(0));
	const stop = Math.max(0, end - window);
	outer: for (let i = end - n.length; i >= stop; i--) {
		for (let j = 0; j < n.length; j++) if (bytes[i + j] !== n[j]) continue outer;
		return i;
	}
	return -1;
}

function hexBytes(hex: Uint8Array): Uint8Array {
	const digits = latin1.decode(hex).replace(/\s+/g, '');
	if (!/^[0-9a-fA-F]*$/.test(digits)) return new Uint8Array(0);
	const out = new Uint8Array(digits.length >> 1);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.substr(i * 2, 2), 16);
	return out;
}

/** The first DER element; the zero padding that fills a /Contents hole is ignored. */
function parseDer(bytes: Uint8Array): asn1js.AsnType {
	const parsed = asn1js.fromBER(bytes);
	if (parsed.offset === -1) throw new Error(parsed.result.error);
	return parsed.result;
}

function signerCertificate(
	signed: pkijs.SignedData,
	signerInfo: pkijs.SignerInfo
): pkijs.Certificate | null {
	const certs = (signed.certificates ?? []).filter(
		(c): c is pkijs.Certificate => c instanceof pkijs.Certificate
	);
	const sid = signerInfo.sid;
	if (sid instanceof pkijs.IssuerAndSerialNumber) {
		return (
			certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber)) ??
			null
		);
	}
	// subjectKeyIdentifier [0]: compared with each certificate's own extension.
	const wanted = hex((sid as asn1js.Primitive).valueBlock.valueHexView);
	return (
		certs.find((c) => {
			const ext = c.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
			if (!ext) return false;
			const id = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
			return id instanceof asn1js.OctetString && hex(id.valueBlock.valueHexView) === wanted;
		}) ?? null
	);
}

interface Verdict {
	digestOk: boolean;
	signatureOk: boolean;
	problems: PdfSignatureProblem[];
}

/**
 * The two halves of a CMS signature: the content hashes to the messageDigest attribute, and the
 * signature over the signed attributes verifies with the signer's public key.
 */
async function verifySignerInfo(
	signerInfo: pkijs.SignerInfo,
	cert: pkijs.Certificate | null,
	content: Uint8Array
): Promise<Verdict> {
	const problems: PdfSignatureProblem[] = [];
	const hash = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
	const attrs = signerInfo.signedAttrs;
	// PAdES signs the attributes, never the content directly: no attributes is not PAdES.
	const wanted = attrs?.attributes.find((a) => a.type === OID.messageDigest)?.values[0];
	if (!hash || !attrs || !(wanted instanceof asn1js.OctetString)) {
		return { digestOk: false, signatureOk: false, problems: ['UNSUPPORTED'] };
	}
	const digest = new Uint8Array(await crypto.subtle.digest(hash, content as BufferSource));
	const digestOk = equal(digest, wanted.valueBlock.valueHexView);
	if (!digestOk) problems.push('DIGEST_MISMATCH');
	if (!cert) {
		problems.push('SIGNER_CERT_MISSING');
		return { digestOk, signatureOk: false, problems };
	}
	let signatureOk = false;
	try {
		signatureOk = await pkijs
			.getCrypto(true)
			.verifyWithPublicKey(
				attrs.encodedValue,
				signerInfo.signature,
				cert.subjectPublicKeyInfo,
				signerInfo.signatureAlgorithm,
				hash
			);
		if (!signatureOk) problems.push('SIGNATURE_INVALID');
	} catch {
		problems.push('UNSUPPORTED');
	}
	return { digestOk, signatureOk, problems };
}

/** The token's imprint must be the hash of this signature value, and its own signature verify. */
async function checkTimestamp(
	token: asn1js.AsnType,
	signatureValue: Uint8Array
): Promise<{ time: string; valid: boolean }> {
	try {
		const info = new pkijs.ContentInfo({ schema: token });
		const signed = new pkijs.SignedData({ schema: info.content });
		const eContent = signed.encapContentInfo.eContent;
		if (!eContent) throw new Error('no TSTInfo');
		const tstBytes = octets(eContent);
		const tst = new pkijs.TSTInfo({ schema: parseDer(tstBytes) });
		const time = tst.genTime.toISOString();
		const imprintHash = DIGESTS[tst.messageImprint.hashAlgorithm.algorithmId];
		const imprintOk =
			!!imprintHash &&
			equal(
				new Uint8Array(await crypto.subtle.digest(imprintHash, signatureValue as BufferSource)),
				tst.messageImprint.hashedMessage.valueBlock.valueHexView
			);
		const signerInfo = signed.signerInfos[0];
		if (!signerInfo) return { time, valid: false };
		const verdict = await verifySignerInfo(
			signerInfo,
			signerCertificate(signed, signerInfo),
			tstBytes
		);
		return { time, valid: imprintOk && verdict.digestOk && verdict.signatureOk };
	} catch {
		return { time: '', valid: false };
	}
}

/** An OCTET STRING's content, joined from its pieces when BER split it. */
function octets(value: asn1js.OctetString): Uint8Array {
	if (!value.idBlock.isConstructed) return value.valueBlock.valueHexView;
	const parts = (value.valueBlock.value as asn1js.OctetString[]).map(octets);
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}

function unsignedAttribute(signerInfo: pkijs.SignerInfo, type: string): asn1js.AsnType | null {
	return signerInfo.unsignedAttrs?.attributes.find((a) => a.type === type)?.values[0] ?? null;
}

function attributeTime(
	attrs: pkijs.SignedAndUnsignedAttributes | undefined,
	type: string
): string | null {
	const value = attrs?.attributes.find((a) => a.type === type)?.values[0];
	if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) {
		return value.toDate().toISOString();
	}
	return null;
}

/** "CN=…, O=…" in the certificate's own order. */
function nameText(name: pkijs.RelativeDistinguishedNames): string {
	return name.typesAndValues
		.map((tv) => {
			const key = NAME_KEYS[tv.type] ?? tv.type;
			const block = tv.value.valueBlock as { value?: unknown };
			return `${key}=${typeof block.value === 'string' ? block.value : '#'}`;
		})
		.join(', ');
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

function hex(bytes: Uint8Array): string {
	return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}
