import { createHash, randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/lib/server/db/schema';

/*
 * A software passkey for unit tests: a real key (P-256 by default; Ed25519 or RSA on request),
 * real authenticator data, real client data and a real signature, so WebAuthn verification runs
 * unmodified and nothing about it is mocked. Only the browser and the secure hardware are left out.
 */

/** The COSE algorithms passkeys use: ES256 (-7), EdDSA with Ed25519 (-8), RS256 (-257). */
export type FakeAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

export interface AssertOptions {
	/** The raw challenge bytes (the manifest's hash for a submission). */
	challenge: Uint8Array;
	origin: string;
	rpId: string;
	/** The user handle to report (the server's user id); omitted when undefined. */
	userHandle?: string;
	/** User present / user verified flags; both true by default. */
	up?: boolean;
	uv?: boolean;
	/** Overrides the signature counter (the authenticator otherwise counts up from 1). */
	counter?: number;
	/** Flips a byte of the signature, as Chromium's isBogusSignature does. */
	bogusSignature?: boolean;
}

export interface FakeAuthenticator {
	credentialId: string;
	algorithm: FakeAlgorithm;
	/** The COSE algorithm number of the key. */
	coseAlgorithm: number;
	/** The public key as SubjectPublicKeyInfo PEM. */
	publicKeySpki: string;
	/** The COSE_Key to store in the credentials row. */
	publicKeyCose: Uint8Array;
	assert: (options: AssertOptions) => Promise<AuthenticationResponseJSON>;
}

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

/** Raw r||s (WebCrypto's ECDSA output) to the DER SEQUENCE WebAuthn carries. */
function derSignature(raw: Uint8Array): Uint8Array<ArrayBuffer> {
	const integer = (bytes: Uint8Array) => {
		let i = 0;
		while (i < bytes.length - 1 && bytes[i] === 0) i++;
		const trimmed = bytes.slice(i);
		const body = trimmed[0]! & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
		return Uint8Array.of(0x02, body.length, ...body);
	};
	const r = integer(raw.slice(0, 32));
	const s = integer(raw.slice(32));
	return Uint8Array.of(0x30, r.length + s.length, ...r, ...s) as Uint8Array<ArrayBuffer>;
}

/** A fresh key pair of the algorithm, its COSE_Key (RFC 9053) and how it signs. */
async function keyPair(algorithm: FakeAlgorithm) {
	const uses: KeyUsage[] = ['sign', 'verify'];
	if (algorithm === 'EdDSA') {
		const keys = (await crypto.subtle.generateKey(
			{ name: 'Ed25519' },
			true,
			uses
		)) as CryptoKeyPair;
		const raw = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
		// kty OKP (1), alg EdDSA (-8), crv Ed25519 (6), x.
		const cose = new Map<number, number | Uint8Array>([
			[1, 1],
			[3, -8],
			[-1, 6],
			[-2, raw]
		]);
		return { keys, cose, alg: -8, sign: { name: 'Ed25519' }, der: false };
	}
	if (algorithm === 'RS256') {
		const params = {
			name: 'RSASSA-PKCS1-v1_5',
			modulusLength: 2048,
			publicExponent: Uint8Array.of(1, 0, 1),
			hash: 'SHA-256'
		};
		const keys = await crypto.subtle.generateKey(params, true, uses);
		const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
		// kty RSA (3), alg RS256 (-257), n, e.
		const cose = new Map<number, number | Uint8Array>([
			[1, 3],
			[3, -257],
			[-1, isoBase64URL.toBuffer(jwk.n!)],
			[-2, isoBase64URL.toBuffer(jwk.e!)]
		]);
		return { keys, cose, alg: -257, sign: { name: 'RSASSA-PKCS1-v1_5' }, der: false };
	}
	const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, uses);
	const raw = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
	// kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
	const cose = new Map<number, number | Uint8Array>([
		[1, 2],
		[3, -7],
		[-1, 1],
		[-2, raw.slice(1, 33)],
		[-3, raw.slice(33, 65)]
	]);
	return { keys, cose, alg: -7, sign: { name: 'ECDSA', hash: 'SHA-256' }, der: true };
}

/** Creates a passkey with a fresh key pair (ES256 unless asked) and a random credential id. */
export async function createFakeAuthenticator(
	algorithm: FakeAlgorithm = 'ES256'
): Promise<FakeAuthenticator> {
	const pair = await keyPair(algorithm);
	const keys = pair.keys;
	const publicKeyCose = isoCBOR.encode(pair.cose);
	const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey)).toString(
		'base64'
	);
	const publicKeySpki = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
	const credentialId = isoBase64URL.fromBuffer(randomBytes(16));
	let signCount = 0;

	return {
		credentialId,
		algorithm,
		coseAlgorithm: pair.alg,
		publicKeySpki,
		publicKeyCose,
		async assert(options) {
			const counter = options.counter ?? ++signCount;
			const flags = (options.up === false ? 0 : 0x01) | (options.uv === false ? 0 : 0x04);
			const authenticatorData = Uint8Array.of(
				...sha256(new TextEncoder().encode(options.rpId)),
				flags,
				(counter >>> 24) & 0xff,
				(counter >>> 16) & 0xff,
				(counter >>> 8) & 0xff,
				counter & 0xff
			);
			const clientDataJSON = new TextEncoder().encode(
				JSON.stringify({
					type: 'webauthn.get',
					challenge: isoBase64URL.fromBuffer(new Uint8Array(options.challenge)),
					origin: options.origin,
					crossOrigin: false
				})
			);
			const signed = Uint8Array.of(...authenticatorData, ...sha256(clientDataJSON));
			const raw = new Uint8Array(await crypto.subtle.sign(pair.sign, keys.privateKey, signed));
			const signature = pair.der ? derSignature(raw) : raw;
			if (options.bogusSignature) signature[signature.length - 1]! ^= 0xff;
			return {
				id: credentialId,
				rawId: credentialId,
				type: 'public-key',
				clientExtensionResults: {},
				authenticatorAttachment: 'platform',
				response: {
					clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON),
					authenticatorData: isoBase64URL.fromBuffer(authenticatorData),
					signature: isoBase64URL.fromBuffer(signature),
					...(options.userHandle === undefined
						? {}
						: { userHandle: isoBase64URL.fromUTF8String(options.userHandle) })
				}
			};
		}
	};
}

/**
 * Registers a software passkey for a user straight in the database, as enrolment would have
 * stored it. Why: server and sync tests need real, verifiable credentials without running the
 * registration ceremony every time.
 */
export async function insertCredential(
	db: Kysely<Database>,
	userId: string,
	key: FakeAuthenticator,
	at: string,
	name = 'test'
): Promise<void> {
	await db
		.insertInto('credentials')
		.values({
			id: key.credentialId,
			user_id: userId,
			public_key: key.publicKeyCose,
			counter: 0,
			transports: '[]',
			device_type: 'singleDevice',
			backed_up: 0,
			name,
			created_at: at,
			last_used_at: null,
			revoked_at: null
		})
		.execute();
}
