import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import { serveBundle } from './support/bundle';
import { manifestChallenge } from '../../src/lib/domain/canonical';
import type { Envelope } from '../../src/lib/domain/envelope';
import type { Manifest } from '../../src/lib/domain/manifest';
import { discSealPng, sha256Hex, signaturePng } from '../support/images';
import { cjkFontBytes } from '../support/pdfs';

// Server ingest end to end: a real passkey (Chromium's virtual authenticator) confirms a
// manifest whose challenge the page computes itself; the server recomputes it, checks the
// ticket and the assertion, and renders the result the signer previewed.

test.use({ locale: 'en-US', serviceWorkers: 'block' });

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

interface Answer {
	status: number;
	body: Record<string, unknown> & { error?: { code: string } };
}

/** A same-origin JSON request from the page, with the admin's session cookie. */
function api(page: Page, method: string, path: string, json?: unknown): Promise<Answer> {
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

/**
 * In the page: builds the admin's manifest for the demo envelope, hashes its RFC 8785 form
 * with WebCrypto (a small canonicaliser for plain JSON is enough here), and asks the passkey
 * to sign that hash with user verification. Returns the manifest, the challenge and the
 * assertion as JSON.
 */
function signInPage(
	page: Page,
	args: {
		envelope: Envelope;
		credentialId: string;
		ticket: { id: string; nonce: string };
		signature: string;
		seal: string;
		deviceTime: string;
	}
) {
	return page.evaluate(async ({ envelope, credentialId, ticket, signature, seal, deviceTime }) => {
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
					sealId: 'seal-demo-contract',
					image: seal,
					sizeMm: { width: 42, height: 42 }
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
				userVerification: 'required',
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
	}, args);
}

test('a passkey-confirmed manifest is ingested once; replays and forged signatures are refused; the server renders what the signer previewed', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(120_000);
	// Enrol the admin through the printed setup link, as on first start.
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	const authenticator = await addVirtualAuthenticator(page);
	await page.goto(freshServer.setupLink!);
	await page.getByRole('button', { name: 'Continue as admin' }).click();
	await page.getByRole('button', { name: 'Create a passkey on this device' }).click();
	await expect.poll(async () => (await authenticator.credentials()).length).toBe(1);
	await expect
		.poll(async () => ((await api(page, 'GET', '/api/passkeys')).body.passkeys as unknown[]).length)
		.toBe(1);

	// The page moves to /__bundle/ (same origin, outside the app's CSP); the bundle is render()
	// built from the app's sources, run in Node below to judge the server's render.
	const { files, entryFile } = await serveBundle(page, 'src/lib/pdf/render.ts');
	const passkeys = (await api(page, 'GET', '/api/passkeys')).body.passkeys as { id: string }[];
	const credentialId = passkeys[0]!.id;
	const contracts = (await api(page, 'GET', '/api/admin/contracts')).body.contracts as {
		id: string;
	}[];
	const envelopeId = contracts[0]!.id;

	const pool = await api(page, 'POST', '/api/tickets', { credentialId });
	expect(pool.status).toBe(200);
	expect(pool.body.remaining).toBe(50);
	const tickets = pool.body.tickets as { id: string; nonce: string; expiresAt: string }[];
	expect(tickets).toHaveLength(50);

	const got = await api(page, 'GET', `/api/envelopes/${envelopeId}`);
	expect(got.status).toBe(200);
	const envelope = got.body.envelope as Envelope;
	expect(envelope.status).toBe('sent');

	const signaturePngBytes = await signaturePng();
	const sealPngBytes = await discSealPng();
	const signature = sha256Hex(signaturePngBytes);
	const seal = sha256Hex(sealPngBytes);
	const images = { [signature]: b64(signaturePngBytes), [seal]: b64(sealPngBytes) };
	const sign = (deviceTime: string) =>
		signInPage(page, {
			envelope,
			credentialId,
			ticket: { id: tickets[0]!.id, nonce: tickets[0]!.nonce },
			signature,
			seal,
			deviceTime
		});

	// A forged signature: refused, and the ticket is not spent.
	await authenticator.cdp.send('WebAuthn.setResponseOverrideBits', {
		authenticatorId: authenticator.authenticatorId,
		isBogusSignature: true
	});
	const forged = await sign('2026-03-01T08:00:00.000Z');
	const refused = await api(page, 'POST', '/api/submissions', {
		idempotencyKey: 'e2e-forged-0001',
		manifest: forged.manifest,
		assertion: forged.assertion,
		images
	});
	expect(refused.status).toBe(401);
	expect(refused.body.error?.code).toBe('ASSERTION_INVALID');
	const after = await api(page, 'POST', '/api/tickets', { credentialId });
	expect((after.body.tickets as { id: string }[]).map((t) => t.id)).toContain(tickets[0]!.id);
	await authenticator.cdp.send('WebAuthn.setResponseOverrideBits', {
		authenticatorId: authenticator.authenticatorId,
		isBogusSignature: false
	});

	// The honest confirmation with the same ticket is accepted.
	const honest = await sign('2026-03-01T08:05:00.000Z');
	// The page's challenge is the one the server derives from the manifest (M2, M3).
	expect(honest.challenge).toBe(
		Buffer.from(await manifestChallenge(honest.manifest as Manifest)).toString('base64url')
	);
	const body = {
		idempotencyKey: 'e2e-honest-0001',
		manifest: honest.manifest,
		assertion: honest.assertion,
		images
	};
	const accepted = await api(page, 'POST', '/api/submissions', body);
	expect(accepted.status).toBe(201);
	expect(accepted.body.envelopeStatus).toBe('completed');

	// A retry of the same request gets the same answer; a replay under a new key does not.
	expect(await api(page, 'POST', '/api/submissions', body)).toEqual(accepted);
	const replay = await api(page, 'POST', '/api/submissions', {
		...body,
		idempotencyKey: 'e2e-replay-0001'
	});
	expect(replay.status).toBe(409);
	expect(replay.body.error?.code).toBe('TICKET_USED');

	// The server's render has the SHA-256 of render() run here on the same inputs.
	const rendered = await page.evaluate(async (id) => {
		const response = await fetch(`/api/envelopes/${id}/rendered`);
		const bytes = new Uint8Array(await response.arrayBuffer());
		return {
			status: response.status,
			header: response.headers.get('X-Content-SHA256'),
			base64: btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))
		};
	}, envelopeId);
	expect(rendered.status).toBe(200);
	const served = Buffer.from(rendered.base64, 'base64');
	expect(createHash('sha256').update(served).digest('hex')).toBe(rendered.header);

	const original = await page.evaluate(async (id) => {
		const response = await fetch(`/api/admin/contracts/${id}/document`);
		if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
		const bytes = new Uint8Array(await response.arrayBuffer());
		return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
	}, envelopeId);
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-ingest-render-'));
	try {
		writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
		for (const [name, content] of files) {
			mkdirSync(dirname(join(dir, name)), { recursive: true });
			writeFileSync(join(dir, name), content);
		}
		const { render } = await import(pathToFileURL(join(dir, entryFile)).href);
		const local: Uint8Array = await render(
			new Uint8Array(Buffer.from(original, 'base64')),
			[honest.manifest],
			new Map([
				[signature, signaturePngBytes],
				[seal, sealPngBytes]
			]),
			{ font: cjkFontBytes() }
		);
		expect(createHash('sha256').update(local).digest('hex')).toBe(rendered.header);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	await context.close();
});
