import canonicalize from 'canonicalize';
import type { Manifest } from './manifest';

/**
 * RFC 8785 canonical JSON (sorted keys, no whitespace, ECMAScript number form). Two parties
 * that hold the same manifest, however its JSON was spelled in transit, derive the same bytes,
 * so the hash a passkey signed can be recomputed by anyone (M2).
 */
export function canonicalJson(value: unknown): string {
	const text = canonicalize(value);
	if (text === undefined) throw new TypeError('Value has no JSON form');
	return text;
}

/** SHA-256 through WebCrypto, which both browsers and Node 20+ provide as globalThis.crypto. */
export async function sha256(data: Uint8Array | string): Promise<Uint8Array<ArrayBuffer>> {
	const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
	const copy = new Uint8Array(bytes.byteLength);
	copy.set(bytes);
	return new Uint8Array(await crypto.subtle.digest('SHA-256', copy));
}

/** Lower-case hex, the one spelling of a digest used in ids, file names and manifests. */
export function toHex(bytes: Uint8Array): string {
	let out = '';
	for (const b of bytes) out += b.toString(16).padStart(2, '0');
	return out;
}

/** SHA-256 hex of bytes or a string, e.g. a document's docHash or an image's asset id. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
	return toHex(await sha256(data));
}

/** The manifest's identity: SHA-256 hex of its canonical JSON (M2). */
export async function manifestHash(manifest: Manifest): Promise<string> {
	return sha256Hex(canonicalJson(manifest));
}

/**
 * The WebAuthn challenge for a manifest: the raw 32 bytes of its hash (M3). The assertion then
 * proves the user approved exactly these marks on exactly this document.
 */
export async function manifestChallenge(manifest: Manifest): Promise<Uint8Array<ArrayBuffer>> {
	return sha256(canonicalJson(manifest));
}
