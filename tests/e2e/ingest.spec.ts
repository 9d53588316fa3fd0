import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, expect, addVirtualAuthenticator } from './support/fixtures';
import { serveBundle } from './support/bundle';
import { manifestChallenge } from '../../src/lib/domain/canonical';
import type { Envelope } from '../../src/lib/domain/envelope';
import { api, demoSeal, signInPage } from './support/signing';
import type { Manifest } from '../../src/lib/domain/manifest';
import { discSealPng, sha256Hex, signaturePng } from '../support/images';
import { cjkFontBytes } from '../support/pdfs';

// Server ingest end to end: a real passkey (Chromium's virtual authenticator) confirms a
// manifest whose challenge the page computes itself; the server recomputes it, checks the
// ticket and the assertion, and renders the result the signer previewed.

test.use({ locale: 'en-US', serviceWorkers: 'block' });

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

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
	// The demo seal as the server holds it: the image a device's signing kit stamps with.
	const kitSeal = await demoSeal(page);
	const sealPngBytes = kitSeal.bytes;
	const signature = sha256Hex(signaturePngBytes);
	const seal = kitSeal.image;
	const images = { [signature]: b64(signaturePngBytes), [seal]: b64(sealPngBytes) };
	const sign = (deviceTime: string, stamp = kitSeal) =>
		signInPage(page, {
			envelope,
			credentialId,
			ticket: { id: tickets[0]!.id, nonce: tickets[0]!.nonce },
			signature,
			seal: stamp,
			deviceTime
		});

	// R20: a red disc stamped under the demo seal's id is not the seal, however well signed.
	const discBytes = await discSealPng();
	const disc = { ...kitSeal, image: sha256Hex(discBytes), bytes: discBytes };
	const stand = await sign('2026-03-01T07:55:00.000Z', disc);
	const notTheSeal = await api(page, 'POST', '/api/submissions', {
		idempotencyKey: 'e2e-disc-0001',
		manifest: stand.manifest,
		assertion: stand.assertion,
		images: { [signature]: b64(signaturePngBytes), [disc.image]: b64(discBytes) }
	});
	expect(notTheSeal.status).toBe(422);
	expect(notTheSeal.body.error?.code).toBe('SEAL_IMAGE_MISMATCH');

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
