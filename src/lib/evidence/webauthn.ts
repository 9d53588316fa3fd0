import * as asn1js from 'asn1js';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { sha256 } from '$lib/domain/canonical';

/*
 * The WebAuthn assertion check of the evidence verifier (SPEC EV3, EV6–EV10), step by step so
 * each failure gets its own code, with nothing but WebCrypto: COSE key → WebCrypto key,
 * authenticatorData fields, client data, and the signature over
 * authenticatorData ‖ SHA-256(clientDataJSON).
 */

/** The COSE algorithms a SealPass passkey may use, with the names the report prints. */
export const COSE_ALGORITHMS = { [-7]: 'ES256', [-8]: 'EdDSA', [-257]: 'RS256' } as Record<
	number,
	string
>;

/** A COSE_Key imported for verification, with the SPKI it exports to. */
export interface PublicKey {
	algorithm: number;
	key: CryptoKey;
	spkiPem: string;
}

type KeyResult = { ok: true; key: PublicKey } | { ok: false; message: string };

const b64url = (bytes: Uint8Array) => isoBase64URL.fromBuffer(new Uint8Array(bytes));

/** An ArrayBuffer-backed copy: WebCrypto refuses views of shared or resizable buffers. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => {
	const copy = new Uint8Array(bytes.byteLength);
	copy.set(bytes);
	return copy;
};

function bytesAt(map: Map<number, unknown>, label: number): Uint8Array | null {
	const value = map.get(label);
	return value instanceof Uint8Array ? value : null;
}

/**
 * Reads a COSE_Key (RFC 9053) into a WebCrypto key: EC2 P-256 with ES256 (-7), OKP Ed25519 with
 * EdDSA (-8), RSA with RS256 (-257). Any other key type, curve or algorithm is refused, so a
 * verifier never guesses at a key it does not fully understand.
 */
export async function importCoseKey(cose: Uint8Array): Promise<KeyResult> {
	let map: Map<number, unknown>;
	try {
		const decoded = isoCBOR.decodeFirst<unknown>(own(cose));
		if (!(decoded instanceof Map)) return { ok: false, message: 'The COSE key is not a CBOR map' };
		map = decoded as Map<number, unknown>;
	} catch (error) {
		return { ok: false, message: `The COSE key is not CBOR: ${(error as Error).message}` };
	}
	const kty = map.get(1);
	const alg = map.get(3);
	let jwk: JsonWebKey;
	let params: RsaHashedImportParams | EcKeyImportParams | Algorithm;
	if (kty === 2 && alg === -7 && map.get(-1) === 1) {
		const x = bytesAt(map, -2);
		const y = bytesAt(map, -3);
		if (x?.length !== 32 || y?.length !== 32) return { ok: false, message: 'Bad P-256 point' };
		jwk = { kty: 'EC', crv: 'P-256', x: b64url(x), y: b64url(y) };
		params = { name: 'ECDSA', namedCurve: 'P-256' };
	} else if (kty === 1 && alg === -8 && map.get(-1) === 6) {
		const x = bytesAt(map, -2);
		if (x?.length !== 32) return { ok: false, message: 'Bad Ed25519 key' };
		jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(x) };
		params = { name: 'Ed25519' };
	} else if (kty === 3 && alg === -257) {
		const n = bytesAt(map, -1);
		const e = bytesAt(map, -2);
		if (!n || !e) return { ok: false, message: 'Bad RSA key' };
		jwk = { kty: 'RSA', n: b64url(n), e: b64url(e) };
		params = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
	} else {
		return {
			ok: false,
			message: `Unsupported COSE key (kty ${String(kty)}, alg ${String(alg)}, crv ${String(map.get(-1))})`
		};
	}
	try {
		const key = await crypto.subtle.importKey('jwk', jwk, params, true, ['verify']);
		const spki = new Uint8Array(await crypto.subtle.exportKey('spki', key));
		return { ok: true, key: { algorithm: alg, key, spkiPem: toPem(spki) } };
	} catch (error) {
		return { ok: false, message: `The COSE key does not import: ${(error as Error).message}` };
	}
}

/** SubjectPublicKeyInfo DER as PEM: base64 in lines of 64 characters. */
export function toPem(spki: Uint8Array): string {
	const body = isoBase64URL.fromBuffer(own(spki), 'base64');
	const lines = body.match(/.{1,64}/g) ?? [];
	return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** Whether two PEM texts hold the same bytes (line breaks and trailing space do not matter). */
export function samePem(a: string, b: string): boolean {
	const body = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
	return body(a) === body(b);
}

/**
 * An ECDSA signature as WebAuthn carries it (DER `SEQUENCE { INTEGER r, INTEGER s }`) in the raw
 * r ‖ s form WebCrypto verifies (each left-padded to 32 bytes). Null when it is not exactly that.
 */
export function derToRawEcdsa(der: Uint8Array): Uint8Array<ArrayBuffer> | null {
	const parsed = asn1js.fromBER(own(der));
	if (parsed.offset !== der.byteLength || !(parsed.result instanceof asn1js.Sequence)) return null;
	const parts = parsed.result.valueBlock.value;
	if (parts.length !== 2) return null;
	const raw = new Uint8Array(64);
	for (const [i, part] of parts.entries()) {
		if (!(part instanceof asn1js.Integer)) return null;
		let value = part.valueBlock.valueHexView;
		while (value.length > 1 && value[0] === 0) value = value.subarray(1);
		if (value.length > 32) return null;
		raw.set(value, i * 32 + 32 - value.length);
	}
	return raw;
}

/** The fixed part of authenticatorData (WebAuthn §6.1): rpIdHash, flags, signature counter. */
export interface AuthenticatorData {
	rpIdHash: Uint8Array;
	flags: number;
	userPresent: boolean;
	userVerified: boolean;
	signCount: number;
}

export function parseAuthenticatorData(bytes: Uint8Array): AuthenticatorData | null {
	if (bytes.byteLength < 37) return null;
	const flags = bytes[32]!;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return {
		rpIdHash: bytes.subarray(0, 32),
		flags,
		userPresent: (flags & 0x01) !== 0,
		userVerified: (flags & 0x04) !== 0,
		signCount: view.getUint32(33)
	};
}

/** The fields of clientDataJSON a verifier reads (WebAuthn §5.8.1). */
export interface ClientData {
	type: unknown;
	challenge: unknown;
	origin: unknown;
	crossOrigin?: unknown;
}

export function parseClientData(bytes: Uint8Array): ClientData | null {
	try {
		const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
		return value && typeof value === 'object' ? (value as ClientData) : null;
	} catch {
		return null;
	}
}

/** Whether clientData.challenge (base64url) decodes to exactly `expected`. */
export function challengeMatches(challenge: unknown, expected: Uint8Array): boolean {
	if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]*$/.test(challenge)) return false;
	return b64url(expected) === challenge;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

/**
 * Verifies the assertion signature over authenticatorData ‖ SHA-256(clientDataJSON) with the
 * credential's key (EV10). ECDSA signatures are converted from DER first; a malformed one is
 * simply not valid.
 */
export async function verifyAssertionSignature(
	key: PublicKey,
	authenticatorData: Uint8Array,
	clientDataJSON: Uint8Array,
	signature: Uint8Array
): Promise<boolean> {
	const clientHash = await sha256(clientDataJSON);
	const signed = new Uint8Array(authenticatorData.byteLength + clientHash.byteLength);
	signed.set(authenticatorData);
	signed.set(clientHash, authenticatorData.byteLength);
	let params: Algorithm | EcdsaParams;
	let sig: Uint8Array<ArrayBuffer> | null = own(signature);
	if (key.algorithm === -7) {
		params = { name: 'ECDSA', hash: 'SHA-256' } satisfies EcdsaParams;
		sig = derToRawEcdsa(signature);
	} else if (key.algorithm === -8) {
		params = { name: 'Ed25519' };
	} else {
		params = { name: 'RSASSA-PKCS1-v1_5' };
	}
	if (!sig) return false;
	try {
		return await crypto.subtle.verify(params, key.key, sig, signed);
	} catch {
		return false;
	}
}
