import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Signer, TimestampAuthority } from '@libpdf/core';

/*
 * The CMS of a PAdES signature (ETSI.CAdES.detached) over a digest we computed, built with pkijs
 * the way @libpdf/core builds it: the same signed attributes (content-type, signing-time,
 * CMSAlgorithmProtection, message-digest, signing-certificate-v2), signed by the identity's
 * @libpdf/core Signer, optionally time-stamped through its TimestampAuthority. @libpdf/core
 * keeps its builder private to a signing path that parses the whole document; this one signs a
 * digest, so the PDF side can append its update without a full parse.
 */

const OID = {
	data: '1.2.840.113549.1.7.1',
	signedData: '1.2.840.113549.1.7.2',
	contentType: '1.2.840.113549.1.9.3',
	messageDigest: '1.2.840.113549.1.9.4',
	signingTime: '1.2.840.113549.1.9.5',
	algorithmProtection: '1.2.840.113549.1.9.52',
	timeStampToken: '1.2.840.113549.1.9.16.2.14',
	signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
	sha256: '2.16.840.1.101.3.4.2.1',
	sha256WithRsa: '1.2.840.113549.1.1.11',
	ecdsaWithSha256: '1.2.840.10045.4.3.2'
} as const;

export interface CadesOptions {
	signer: Signer;
	/** SHA-256 of the bytes the signature covers (the PDF's byte range). */
	digest: Uint8Array;
	signingTime: Date;
	/** Given, the signature value is time-stamped (PAdES B-T). */
	timestampAuthority?: TimestampAuthority;
}

/** A DER ContentInfo(SignedData), detached, with one SignerInfo. */
export async function cadesDetached(opts: CadesOptions): Promise<Uint8Array> {
	const { signer } = opts;
	const { cert, chain, essCertificate } = parsedIdentity(signer);
	const rsa = signer.keyType === 'RSA';
	const signatureAlgorithm = rsa ? OID.sha256WithRsa : OID.ecdsaWithSha256;

	const attributes = [
		new pkijs.Attribute({
			type: OID.contentType,
			values: [new asn1js.ObjectIdentifier({ value: OID.data })]
		}),
		new pkijs.Attribute({
			type: OID.signingTime,
			values: [new asn1js.UTCTime({ valueDate: opts.signingTime })]
		}),
		// RFC 6211: binds the digest and signature algorithms, so neither can be swapped.
		new pkijs.Attribute({
			type: OID.algorithmProtection,
			values: [
				new asn1js.Sequence({
					value: [
						new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sha256 })] }),
						new asn1js.Constructed({
							idBlock: { tagClass: 3, tagNumber: 1 },
							value: rsa
								? [new asn1js.ObjectIdentifier({ value: signatureAlgorithm }), new asn1js.Null()]
								: [new asn1js.ObjectIdentifier({ value: signatureAlgorithm })]
						})
					]
				})
			]
		}),
		new pkijs.Attribute({
			type: OID.messageDigest,
			values: [new asn1js.OctetString({ valueHex: buffer(opts.digest) })]
		}),
		essCertificate
	];
	const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
	// What is signed is the attributes' DER as a SET OF (tag 0x31), not the [0] they sit under.
	const toSign = new Uint8Array(signedAttrs.toSchema().toBER(false));
	toSign[0] = 0x31;
	const signature = await signer.sign(toSign, 'SHA-256');

	const signerInfo = new pkijs.SignerInfo({
		version: 1,
		sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
		digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
		signedAttrs,
		signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: signatureAlgorithm }),
		signature: new asn1js.OctetString({ valueHex: buffer(signature) })
	});
	if (opts.timestampAuthority) {
		const imprint = new Uint8Array(createHash('sha256').update(signature).digest());
		const token = await opts.timestampAuthority.timestamp(imprint, 'SHA-256');
		signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
			type: 1,
			attributes: [new pkijs.Attribute({ type: OID.timeStampToken, values: [parseDer(token)] })]
		});
	}
	const signedData = new pkijs.SignedData({
		version: 1,
		encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
		digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
		certificates: [cert, ...chain],
		signerInfos: [signerInfo]
	});
	const info = new pkijs.ContentInfo({
		contentType: OID.signedData,
		content: signedData.toSchema()
	});
	return new Uint8Array(info.toSchema().toBER(false));
}

interface ParsedIdentity {
	cert: pkijs.Certificate;
	chain: pkijs.Certificate[];
	essCertificate: pkijs.Attribute;
}

/**
 * The identity's certificates parsed once per signer: parsing them again for every contract
 * cost more than the rest of the CMS. They are only read (encoded) afterwards.
 */
const parsedIdentities = new WeakMap<Signer, ParsedIdentity>();

function parsedIdentity(signer: Signer): ParsedIdentity {
	let parsed = parsedIdentities.get(signer);
	if (!parsed) {
		const cert = parseCertificate(signer.certificate);
		parsed = {
			cert,
			chain: (signer.certificateChain ?? []).map(parseCertificate),
			essCertificate: signingCertificateV2(cert)
		};
		parsedIdentities.set(signer, parsed);
	}
	return parsed;
}

/**
 * ESS signing-certificate-v2 (RFC 5035): the signing certificate's SHA-256 and issuer/serial
 * under the signature, so another certificate with the same key cannot be put in its place.
 * SHA-256 is the default hash algorithm, so it is left out (DER omits defaults).
 */
function signingCertificateV2(cert: pkijs.Certificate): pkijs.Attribute {
	const hash = createHash('sha256')
		.update(new Uint8Array(cert.toSchema().toBER(false)))
		.digest();
	const issuerSerial = new pkijs.IssuerSerial({
		issuer: new pkijs.GeneralNames({
			names: [new pkijs.GeneralName({ type: 4, value: cert.issuer })]
		}),
		serialNumber: cert.serialNumber
	});
	const essCertIdV2 = new asn1js.Sequence({
		value: [new asn1js.OctetString({ valueHex: buffer(hash) }), issuerSerial.toSchema()]
	});
	return new pkijs.Attribute({
		type: OID.signingCertificateV2,
		values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })]
	});
}

function parseCertificate(der: Uint8Array): pkijs.Certificate {
	return new pkijs.Certificate({ schema: parseDer(der) });
}

function parseDer(der: Uint8Array): asn1js.AsnType {
	const parsed = asn1js.fromBER(buffer(der));
	if (parsed.offset === -1) throw new Error(`Not DER: ${parsed.result.error}`);
	return parsed.result;
}

/** An ArrayBuffer holding exactly these bytes (asn1js reads whole buffers). */
function buffer(bytes: Uint8Array): ArrayBuffer {
	return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
