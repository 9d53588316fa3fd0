import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Page, Route } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';
import { deviceOutbox } from './support/device';
import { serveBundle } from './support/bundle';
import { startServer, type RunningServer } from '../../scripts/server-process.mjs';
import type { Envelope } from '../../src/lib/domain/envelope';
import { sha256Hex, signaturePng } from '../support/images';
import { demoSeal } from './support/signing';

// Sync survives a dying server (SPEC Y1–Y3, Y7): n signatures confirmed on the device are uploaded
// by the app's own sync engine while the server is killed after some uploads and restarted on the
// same data, and an answer is dropped after the server committed. Every item must end synced
// exactly once. Service workers are blocked so page.route sees every request the page makes.

test.use({ locale: 'en-US', serviceWorkers: 'block' });

const N = 5;

/** A same-origin JSON request from the page, with the admin's session cookie. */
async function json<T>(page: Page, path: string, body?: unknown): Promise<T> {
	const answer = await page.evaluate(
		async ({ path, body }) => {
			const response = await fetch(path, {
				method: body === undefined ? 'GET' : 'POST',
				headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body)
			});
			return { status: response.status, body: await response.json() };
		},
		{ path, body }
	);
	expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
	return answer.body as T;
}

test('proof 6: server killed after some of n uploads and restarted, an answer dropped after commit — every item synced exactly once', async ({
	browser
}) => {
	// Generous: on a loaded machine each row takes seconds; every wait is on a condition.
	test.setTimeout(300_000);
	const dataDir = mkdtempSync(join(tmpdir(), 'sealpass-sync-e2e-'));
	let server: RunningServer = await startServer({ DATA_DIR: dataDir });
	const port = new URL(server.url).port;
	const context = await browser.newContext({ baseURL: server.url, locale: 'en-US' });
	const sqlite = new Database(join(dataDir, 'sealpass.db'));
	try {
		const page = await context.newPage();
		await enrolAdmin(page, server.setupLink!);

		// n envelopes for the admin: the demo one and n − 1 copies of it, written straight into
		// the server's database (WAL lets the test write beside the running server).
		const demo = sqlite.prepare('SELECT * FROM envelopes').get() as Record<string, unknown>;
		const signer = sqlite
			.prepare('SELECT * FROM envelope_signers WHERE envelope_id = ?')
			.get(demo.id) as { signer_id: string; user_id: string };
		const insertEnvelope = sqlite.prepare(
			`INSERT INTO envelopes (id, org_id, title, doc_sha256, page_count, revision, status, created_at, definition)
			 VALUES (@id, @org_id, @title, @doc_sha256, @page_count, @revision, @status, @created_at, @definition)`
		);
		const insertSigner = sqlite.prepare(
			'INSERT INTO envelope_signers (envelope_id, signer_id, user_id) VALUES (?, ?, ?)'
		);
		for (let i = 2; i <= N; i++) {
			const id = randomUUID();
			insertEnvelope.run({ ...demo, id, title: `${String(demo.title)} #${i}` });
			insertSigner.run(id, signer.signer_id, signer.user_id);
		}

		const { passkeys } = await json<{ passkeys: { id: string }[] }>(page, '/api/passkeys');
		const credentialId = passkeys[0]!.id;
		const pool = await json<{ tickets: { id: string; nonce: string }[] }>(page, '/api/tickets', {
			credentialId
		});
		const { items } = await json<{ items: { id: string }[] }>(page, '/api/inbox');
		expect(items).toHaveLength(N);
		const envelopes: Envelope[] = [];
		for (const item of items) {
			envelopes.push(
				(await json<{ envelope: Envelope }>(page, `/api/envelopes/${item.id}`)).envelope
			);
		}

		// Confirm n signatures on the device, as the confirmation step does: the app's
		// composeManifest, the passkey over manifestChallenge, one Dexie transaction per row.
		const sig = await signaturePng();
		// The demo seal as the server holds it (a stand-in image would be refused, R20).
		const kitSeal = await demoSeal(page);
		const seal = kitSeal.bytes;
		const { url } = await serveBundle(page, 'tests/e2e/support/outbox-entry.ts');
		const rowIds = await page.evaluate(
			async ({ url, envelopes, tickets, credentialId, sig, seal, sigHash, sealHash, sealSize }) => {
				const app = await import(/* @vite-ignore */ url);
				const db = new app.DeviceDb();
				const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
				const b64url = (buffer: ArrayBuffer) =>
					btoa(String.fromCharCode(...new Uint8Array(buffer)))
						.replace(/\+/g, '-')
						.replace(/\//g, '_')
						.replace(/=+$/, '');
				const ids: number[] = [];
				for (const [i, envelope] of (envelopes as Envelope[]).entries()) {
					const manifest = app.composeManifest({
						envelope,
						signerId: envelope.signers[0]!.id,
						credentialId,
						ticket: tickets[i],
						deviceTime: new Date().toISOString(),
						decision: { kind: 'signed' },
						draft: {
							fills: {
								'field-signature': { kind: 'signature', image: sigHash },
								'field-seal': {
									kind: 'seal',
									sealId: 'seal-demo-contract',
									image: sealHash,
									sizeMm: sealSize
								}
							},
							seals: [],
							ridingSeams: []
						}
					});
					const credential = (await navigator.credentials.get({
						publicKey: {
							challenge: await app.manifestChallenge(manifest),
							rpId: location.hostname,
							userVerification: 'required',
							allowCredentials: []
						}
					})) as PublicKeyCredential;
					const response = credential.response as AuthenticatorAssertionResponse;
					const assertion = {
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
					};
					const id = await db.transaction('rw', db.outbox, db.blobs, async () => {
						for (const [hash, data] of [
							[sigHash, sig],
							[sealHash, seal]
						] as const) {
							const png = bytes(data);
							await db.blobs.put({
								sha256: hash,
								data: new Blob([png], { type: 'image/png' }),
								size: png.byteLength,
								type: 'image/png'
							});
						}
						return db.outbox.add({
							createdAt: new Date().toISOString(),
							credentialId,
							envelopeId: envelope.id,
							manifest,
							manifestHash: await app.manifestHash(manifest),
							idempotencyKey: `e2e-${crypto.randomUUID()}`,
							assertion,
							images: [sigHash, sealHash],
							previewHash: null,
							state: 'pending',
							attempts: 0,
							nextAttemptAt: null,
							error: null,
							result: null,
							syncedAt: null
						});
					});
					ids.push(id);
				}
				db.close();
				return ids;
			},
			{
				url,
				envelopes,
				tickets: pool.tickets.slice(0, N).map(({ id, nonce }) => ({ id, nonce })),
				credentialId,
				sig: Buffer.from(sig).toString('base64'),
				seal: Buffer.from(seal).toString('base64'),
				sigHash: sha256Hex(sig),
				sealHash: kitSeal.image,
				sealSize: kitSeal.sizeMm
			}
		);
		expect(rowIds).toHaveLength(N);
		await page.unrouteAll({ behavior: 'ignoreErrors' });

		// The faults, decided by the server's state rather than by timing: the 3rd submission
		// finds the server killed; while it is down nothing gets through; the first submission
		// after the restart (row 3 again) is committed by the server but its answer is dropped;
		// everything after goes through.
		let submissions = 0;
		let phase: 'up' | 'down' | 'restarted' | 'dropped' = 'up';
		await page.route('**/api/submissions', async (route: Route) => {
			submissions++;
			if (phase === 'up' && submissions === 3) {
				phase = 'down';
				// SIGKILL, as a crash would: no graceful shutdown finishing requests in flight.
				await server.kill();
			}
			if (phase === 'down') return route.abort('connectionrefused');
			if (phase === 'restarted') {
				phase = 'dropped';
				const answer = await route.fetch();
				expect([200, 201]).toContain(answer.status());
				return route.abort('connectionreset');
			}
			return route.continue();
		});

		// App start triggers the sync: rows 1 and 2 go up, then the server dies under row 3.
		await page.goto('/inbox');
		// Rows 4 and 5 were never tried: a later item does not overtake the one that failed.
		await expect
			.poll(
				async () =>
					(await deviceOutbox(page)).map((r) => (r.attempts > 0 ? `${r.state}:retrying` : r.state)),
				{ timeout: 90_000 }
			)
			.toEqual(['synced', 'synced', 'pending:retrying', 'pending', 'pending']);
		expect((await deviceOutbox(page))[2]!.error?.code).toBe('NETWORK');

		// The indicator shows what waits and why, on this page as on every other.
		const indicator = page.getByTestId('sync-indicator');
		await expect(indicator.getByRole('button', { name: /Sync status: 3 to sync/ })).toBeVisible();

		// Restart on the same data folder and port (the same origin, so the same device store and
		// session cookie), then press Sync now rather than wait out the back-off.
		server = await startServer({ DATA_DIR: dataDir, PORT: port });
		phase = 'restarted';
		await indicator.getByRole('button', { name: /Sync status/ }).click();
		await indicator.getByRole('button', { name: 'Sync now' }).click();

		// Row 3's answer is lost after the commit; the back-off timer retries it (same key) and
		// the rest follow in order.
		await expect
			.poll(async () => (await deviceOutbox(page)).map((r) => r.state), { timeout: 120_000 })
			.toEqual(Array(N).fill('synced'));
		expect(submissions).toBeGreaterThanOrEqual(N + 1);

		// Exactly once on the server: n submissions, n tickets spent, and each device row holds
		// the id of its own submission.
		const stored = sqlite.prepare('SELECT id FROM submissions').all() as { id: string }[];
		expect(stored).toHaveLength(N);
		expect(
			(
				sqlite.prepare('SELECT COUNT(*) AS c FROM tickets WHERE used_at IS NOT NULL').get() as {
					c: number;
				}
			).c
		).toBe(N);
		const rows = await deviceOutbox(page);
		expect(new Set(rows.map((r) => r.result?.submissionId))).toEqual(
			new Set(stored.map((s) => s.id))
		);
		expect(rows[2]!.attempts).toBeGreaterThanOrEqual(2);
		expect(phase).toBe('dropped');

		await expect(indicator.getByRole('button', { name: /Sync status: Synced/ })).toBeVisible();
		// Escape closes the panel (and hands focus back to its toggle) before the inbox is used.
		await page.keyboard.press('Escape');
		await expect(indicator.getByRole('button', { name: 'Sync now' })).toHaveCount(0);
		await page.getByRole('tab', { name: 'Not yet synced' }).click({ timeout: 15_000 });
		await expect(page.getByTestId('outbox-item')).toHaveCount(0);
	} finally {
		sqlite.close();
		await context.close();
		await server.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
});
