import * as asn1js from 'asn1js';
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

/** Standard base64 (with padding) of bytes; btoa exists in browsers and Node alike. */
function toBase64(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) {
		binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	return btoa(binary);
}

/** base64url without padding (RFC 4648 §5), the spelling of WebAuthn's binary fields. */
export function toBase64url(bytes: Uint8Array): string {
	return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Reads base64url (padding optional); throws on any other character. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
	if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
		throw new TypeError('Not base64url');
	}
	const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const b64url = toBase64url;

/**
 * The CBOR (RFC 8949) a COSE_Key is written in, and nothing more: unsigned and negative
 * integers, byte and text strings and maps, definite lengths only. Why our own: the CBOR
 * decoder at hand ships inside a server-only package that cannot load in a browser worker, and
 * a COSE_Key needs only these five types; anything else (floats, tags, arrays, indefinite
 * lengths) is refused rather than guessed at.
 */
export function decodeCoseMap(bytes: Uint8Array): Map<number, unknown> {
	let at = 0;
	const fail = (why: string): never => {
		throw new TypeError(`COSE key CBOR: ${why} at byte ${at}`);
	};
	const argument = (info: number): number => {
		if (info < 24) return info;
		const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : fail('unsupported length');
		if (at + size > bytes.length) fail('truncated');
		let value = 0;
		for (let i = 0; i < size; i++) value = value * 256 + bytes[at++]!;
		return value;
	};
	const item = (depth: number): unknown => {
		if (at >= bytes.length) fail('truncated');
		const head = bytes[at++]!;
		const major = head >> 5;
		const value = argument(head & 0x1f);
		switch (major) {
			case 0:
				return value;
			case 1:
				return -1 - value;
			case 2:
			case 3: {
				if (at + value > bytes.length) fail('truncated');
				const data = bytes.slice(at, at + value);
				at += value;
				return major === 2 ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
			}
			case 5: {
				if (depth > 0) fail('nested map');
				const map = new Map<number, unknown>();
				for (let i = 0; i < value; i++) {
					const key = item(depth + 1);
					if (typeof key !== 'number' || map.has(key)) fail('bad or repeated label');
					map.set(key as number, item(depth + 1));
				}
				return map;
			}
			default:
				return fail(`unsupported major type ${major}`);
		}
	};
	const map = item(0);
	if (!(map instanceof Map)) fail('not a map');
	if (at !== bytes.length) fail('trailing bytes');
	return map as Map<number, unknown>;
}

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
		map = decodeCoseMap(cose);
	} catch (error) {
		return { ok: false, message: (error as Error).message };
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
	const body = toBase64(spki);
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
