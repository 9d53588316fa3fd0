import type { Page } from '@playwright/test';
import type { Envelope } from '../../../src/lib/domain/envelope';

// Shared by the specs that confirm manifests with a real passkey from inside an app page
// (ingest.spec.ts, review.spec.ts): a same-origin API helper and the in-page signing route.

/** A JSON answer as the page's fetch saw it. */
export interface Answer {
	status: number;
	body: Record<string, unknown> & { error?: { code: string } };
}

/** A same-origin JSON request from the page, with the admin's session cookie. */
export function api(page: Page, method: string, path: string, json?: unknown): Promise<Answer> {
	return page.evaluate(
		async ({ method, path, json }) => {
			const response = await fetch(path, {
				method,
				headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
				body: json === undefined ? undefined : JSON.stringify(json)
			});
			return { status: response.status, body: await response.json() };
		},
		{ method, path, json }
	);
}

/** A seal as a device's signing kit brings it: its id, image hash, PNG bytes and real size. */
export interface KitSeal {
	id: string;
	image: string;
	bytes: Uint8Array;
	sizeMm: { width: number; height: number };
}

/**
 * The demo seal exactly as the server holds it, fetched from the page with the signed-in user's
 * session (GET /api/me/seals, then its image from /api/blobs): a manifest stamped with anything
 * else is refused (R20), so the specs stamp what a real device would.
 */
export async function demoSeal(page: Page, id = 'seal-demo-contract'): Promise<KitSeal> {
	const seal = await page.evaluate(async (id) => {
		const kit = (await (await fetch('/api/me/seals')).json()) as {
			seals: { id: string; image: string; sizeMm: { width: number; height: number } }[];
		};
		const found = kit.seals.find((s) => s.id === id);
		if (!found) throw new Error(`The signed-in user holds no seal ${id}`);
		const response = await fetch(`/api/blobs/${found.image}`);
		if (!response.ok) throw new Error(`The image of seal ${id} answered ${response.status}`);
		return { ...found, bytes: [...new Uint8Array(await response.arrayBuffer())] };
	}, id);
	return { id: seal.id, image: seal.image, sizeMm: seal.sizeMm, bytes: new Uint8Array(seal.bytes) };
}

/**
 * In the page: builds the admin's manifest for the demo envelope, hashes its RFC 8785 form
 * with WebCrypto (a small canonicaliser for plain JSON is enough here), and asks the passkey
 * to sign that hash with user verification ('required' unless the test asks for a ceremony
 * that may skip it, to prove the server's own UV check). Returns the manifest, the challenge
 * and the assertion as JSON.
 */
export function signInPage(
	page: Page,
	args: {
		envelope: Envelope;
		credentialId: string;
		ticket: { id: string; nonce: string };
		signature: string;
		/** The seal stamped into the seal field: its id, image hash and real size. */
		seal: Pick<KitSeal, 'id' | 'image' | 'sizeMm'>;
		deviceTime: string;
		userVerification?: UserVerificationRequirement;
	}
) {
	return page.evaluate(
		async ({
			envelope,
			credentialId,
			ticket,
			signature,
			seal,
			deviceTime,
			userVerification = 'required'
		}) => {
			const place = (kind: string) => {
				const field = envelope.fields.find((f) => f.kind === kind)!;
				return { fieldId: field.id, page: field.page, rect: field.rect };
			};
			const manifest = {
				v: 1,
				envelopeId: envelope.id,
				docHash: envelope.docHash,
				revision: envelope.revision,
				signerId: envelope.signers[0]!.id,
				credentialId,
				ticket,
				deviceTime,
				decision: { kind: 'signed' },
				fills: [
					{ ...place('signature'), kind: 'signature', image: signature },
					{
						...place('seal'),
						kind: 'seal',
						sealId: seal.id,
						image: seal.image,
						sizeMm: seal.sizeMm
					}
				],
				seals: [],
				ridingSeams: []
			};
			const canonical = (value: unknown): string => {
				if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
				if (value !== null && typeof value === 'object') {
					const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
					return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
				}
				return JSON.stringify(value);
			};
			const challenge = new Uint8Array(
				await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(manifest)))
			);
			const credential = (await navigator.credentials.get({
				publicKey: {
					challenge,
					rpId: location.hostname,
					userVerification,
					allowCredentials: []
				}
			})) as PublicKeyCredential;
			const response = credential.response as AuthenticatorAssertionResponse;
			const b64url = (buffer: ArrayBuffer) =>
				btoa(String.fromCharCode(...new Uint8Array(buffer)))
					.replace(/\+/g, '-')
					.replace(/\//g, '_')
					.replace(/=+$/, '');
			return {
				manifest,
				challenge: b64url(challenge.buffer),
				assertion: {
					id: credential.id,
					rawId: b64url(credential.rawId),
					type: 'public-key',
					clientExtensionResults: {},
					response: {
						clientDataJSON: b64url(response.clientDataJSON),
						authenticatorData: b64url(response.authenticatorData),
						signature: b64url(response.signature),
						...(response.userHandle ? { userHandle: b64url(response.userHandle) } : {})
					}
				}
			};
		},
		{ ...args, seal: { id: args.seal.id, image: args.seal.image, sizeMm: args.seal.sizeMm } }
	);
}
