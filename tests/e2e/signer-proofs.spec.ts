import {
	request as http,
	type APIRequestContext,
	type BrowserContext,
	type Page
} from '@playwright/test';
import { test, expect, type VirtualAuthenticator } from './support/fixtures';
import { residentIdCheckChar } from '../../src/lib/domain/validators';
import {
	acceptInvitation,
	downloadContract,
	downloadDemo,
	draftContract,
	enrolAdmin,
	openOfflineTab,
	sendForTwoSignatures
} from './support/flows';
import { carryPasskey, deviceState } from './support/device';
import { markAndConfirm } from './support/mark-confirm';
import { api, signInPage, demoSeal } from './support/signing';
import type { Envelope } from '../../src/lib/domain/envelope';
import type { Manifest } from '../../src/lib/domain/manifest';
import { sha256Hex, signaturePng } from '../support/images';
import { pdfsig, qpdfCheck } from '../support/poppler';
import { A4, multiPagePdf } from '../support/test-pdfs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The signer's end-to-end proofs through the app as a signer uses it: a real
// server and SQLite file, Chromium's virtual authenticator, the service worker serving the app
// with the network off, and the app's own sync engine. Proofs 6 and 7 live in
// sync-resilience.spec.ts and confirm.spec.ts; the replay and forged-signature halves of proof 4
// in ingest.spec.ts.

// Fail a step within a minute rather than at the test's end: the tests are long.
test.use({ locale: 'en-US', actionTimeout: 60_000 });

/**
 * Enrols the admin, downloads the demo contract (its seal comes with it) and opens it in an
 * offline tab served by the service worker, with the enrolled passkey carried into that tab.
 */
async function offlineContract(context: BrowserContext, setupLink: string) {
	const page = await context.newPage();
	const enrolled = await enrolAdmin(page, setupLink);
	const demo = await downloadDemo(page);
	// The inbox tops up the offline ticket pool as soon as it opens (SPEC D3).
	await expect(page.getByTestId('ticket-supply')).toHaveAttribute('data-remaining', '50');
	const offline = await openOfflineTab(context, `/inbox/${demo.id}`);
	const authenticator = await carryPasskey(enrolled, offline);
	await expect(offline.getByTestId('signing')).toBeVisible();
	return { page, offline, demo, enrolled, authenticator };
}

/**
 * Selects an inbox tab. A click that lands before the page has hydrated does nothing, so the
 * click is repeated until the tab reports itself selected.
 */
async function openTab(page: Page, name: string): Promise<void> {
	const tab = page.getByRole('tab', { name });
	await expect(async () => {
		await tab.click();
		await expect(tab).toHaveAttribute('aria-selected', 'true', { timeout: 2_000 });
	}).toPass({ timeout: 60_000 });
}

/** An admin's API client from elsewhere (another device): the context's session, its own network. */
async function adminElsewhere(
	context: BrowserContext,
	baseURL: string
): Promise<APIRequestContext> {
	// The server refuses state changes without a same-origin Origin header, as a browser sends.
	return http.newContext({
		baseURL,
		storageState: await context.storageState(),
		extraHTTPHeaders: { Origin: baseURL }
	});
}

/** The device's outbox rows of an envelope reach `state` (the sync engine runs on its own). */
async function outboxStates(page: Page, envelopeId: string): Promise<string[]> {
	return (await deviceState(page, envelopeId)).outbox.map((r) => r.state);
}

test('proof 1: signed offline (drawn, stamped, riding seam), kept over an offline reload under 待同步, synced when back online; the server renders the confirmed preview byte for byte', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const { page, offline, demo } = await offlineContract(context, freshServer.setupLink!);

	const previewHash = await markAndConfirm(offline);

	// Still offline: a reload is served by the service worker; the decision and the row are there.
	// (The reloaded tab may report navigator.onLine true, see openOfflineTab; the network is off.)
	await offline.reload();
	await expect(offline.getByTestId('signing-decided')).toHaveText(
		'You signed this contract on this device.'
	);
	const before = await deviceState(offline, demo.id);
	expect(before.outbox).toHaveLength(1);
	const row = before.outbox[0]!;
	// Waiting, not synced: 'pending', or 'sending' when an upload attempt (Background Sync fires
	// on registration, whatever the tab's emulated network) was cut by the reload — such a row is
	// sent again under the same idempotency key (SPEC Y7), as proof 6 shows.
	expect(['pending', 'sending']).toContain(row.state);
	expect(row).toMatchObject({ envelopeId: demo.id, previewHash });
	expect(row.manifest.fills.map((f) => f.fieldId).sort()).toEqual([
		'field-seal',
		'field-signature'
	]);
	expect(row.manifest.ridingSeams).toEqual([expect.objectContaining({ pages: 'all' })]);

	// The inbox, still offline, in a fresh tab that knows it is offline (so going online fires
	// the `online` event there): the item waits under 待同步 (Not yet synced).
	await offline.close();
	const inbox = await openOfflineTab(context, '/inbox');
	await openTab(inbox, 'Not yet synced');
	const item = inbox.getByTestId('outbox-item');
	await expect(item).toHaveCount(1);
	// Either waiting state, as above: a row whose upload attempt the reload cut stays 'sending'
	// until the next run sends it again, and waits here all the same.
	await expect(item).toHaveAttribute('data-state', /^(pending|sending)$/);
	await expect(item).toContainText('Signed');

	// Back online: the sync engine uploads it by itself (its `online` trigger).
	await context.setOffline(false);
	await expect.poll(() => outboxStates(inbox, demo.id), { timeout: 90_000 }).toEqual(['synced']);
	await expect(item).toHaveCount(0);

	// The server's render of the envelope is the preview the signer confirmed, byte for byte.
	const rendered = await page.request.get(`/api/envelopes/${demo.id}/rendered`);
	expect(rendered.status()).toBe(200);
	expect(rendered.headers()['x-content-sha256']).toBe(previewHash);
	expect(sha256Hex(await rendered.body())).toBe(previewHash);
	const synced = (await deviceState(inbox, demo.id)).outbox[0]!;
	const { accepted } = (await (await page.request.get(`/api/envelopes/${demo.id}`)).json()) as {
		accepted: Manifest[];
	};
	expect(accepted).toHaveLength(1);
	expect(synced.result?.submissionId).toBeTruthy();
	await context.close();
});

test('proof 2: returned (退回) offline with a reason; it syncs; the contract shows 已退回 with the reason', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const { page, offline, demo } = await offlineContract(context, freshServer.setupLink!);
	const reason = '价格条款有误，请修改后重新发送';

	await offline.getByRole('button', { name: 'Decline', exact: true }).click();
	const dialog = offline.getByRole('dialog', { name: 'Decline this contract' });
	await dialog.getByLabel('Reason').fill(reason);
	await dialog.getByRole('button', { name: 'Confirm decline' }).click();
	await expect(dialog.getByTestId('reject-done')).toBeVisible({ timeout: 30_000 });
	await dialog.getByRole('button', { name: 'Close' }).click();
	// Offline, the contract view already says what the signer did and why.
	await expect(offline.getByTestId('signing-decided')).toHaveText(
		'You declined this contract on this device.'
	);
	await expect(offline.getByTestId('return-reason')).toContainText(reason);

	await context.setOffline(false);
	await expect.poll(() => outboxStates(offline, demo.id), { timeout: 90_000 }).toEqual(['synced']);

	// The server holds the return with its reason.
	const { accepted } = (await (await page.request.get(`/api/envelopes/${demo.id}`)).json()) as {
		accepted: Manifest[];
	};
	expect(accepted.map((m) => m.decision)).toEqual([{ kind: 'rejected', reason }]);

	// 已退回: the inbox lists it under Returned; opening it shows the reason.
	await offline.goto('/inbox');
	await openTab(offline, 'Returned');
	const card = offline.getByRole('tabpanel', { name: 'Returned' }).getByTestId('envelope-card');
	await expect(card).toHaveCount(1);
	await expect(card).toContainText('Returned by you');
	await card.getByRole('link', { name: 'View' }).click();
	await expect(offline.getByTestId('return-reason')).toContainText(reason);
	await context.close();
});

test('proof 3: two signers of different parties sign the same contract offline in parallel; both sync; the result holds both, is finalised and signed (pdfsig, qpdf), and its evidence verifies with `sealpass verify`', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(420_000);
	// The contract and the second signer come through the app's own paths: the admin contracts
	// API (upload, fields, send) and the invitation that sending creates for a new signer.
	const url = freshServer.url;
	const contextA = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const pageA = await contextA.newPage();
	const enrolledA = await enrolAdmin(pageA, freshServer.setupLink!);
	const title = 'Joint agreement 联合协议';
	const id = await draftContract(pageA, url, title, { fileName: 'joint.pdf' });
	expect((await sendForTwoSignatures(pageA, url, id)).invited).toBe(1);
	const { messages } = (await (await pageA.request.get('/api/admin/outbox')).json()) as {
		messages: { recipient: string; body: string }[];
	};
	const invitation = messages.find((m) => m.recipient === 'lisi@example.cn')!.body;

	// 李四, on their own phone: the invitation, a passkey, their details, then the inbox.
	const contextB = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const pageB = await contextB.newPage();
	const idBody = '11010519491231002';
	const enrolledB = await acceptInvitation(pageB, invitation, {
		name: '李四',
		residentId: idBody + residentIdCheckChar(idBody)
	});

	// Both download the contract, go offline, and sign it, neither knowing of the other.
	const offlineTabs: Page[] = [];
	for (const [context, page, enrolled, signatureField] of [
		[contextA, pageA, enrolledA, 'field-a'],
		[contextB, pageB, enrolledB, 'field-b']
	] as const) {
		await downloadContract(page, title);
		const offline = await openOfflineTab(context, `/inbox/${id}`);
		await carryPasskey(enrolled, offline);
		await markAndConfirm(offline, { stamp: false, seam: false, signatureField });
		offlineTabs.push(offline);
	}

	// Both come back online; each device syncs its own signature.
	await contextA.setOffline(false);
	await contextB.setOffline(false);
	for (const offline of offlineTabs) {
		await expect.poll(() => outboxStates(offline, id), { timeout: 120_000 }).toEqual(['synced']);
	}

	// The result holds both: two accepted manifests, the contract complete, and the server's
	// render carries both signatures (each field's image is the one its signer confirmed).
	const got = (await (await pageA.request.get(`/api/envelopes/${id}`)).json()) as {
		envelope: Envelope;
		accepted: Manifest[];
	};
	expect(got.accepted.map((m) => m.signerId).sort()).toEqual(['signer-1', 'signer-2']);
	expect(got.accepted.flatMap((m) => m.fills.map((f) => f.fieldId)).sort()).toEqual([
		'field-a',
		'field-b'
	]);
	expect(got.envelope.status).toBe('completed');
	const rendered = await pageA.request.get(`/api/envelopes/${id}/rendered`);
	expect(rendered.status()).toBe(200);
	expect(sha256Hex(await rendered.body())).toBe(rendered.headers()['x-content-sha256']);

	// Completed, so the server finalises in the background (SPEC C4): wait for the signed final
	// PDF, judge it with poppler and qpdf, and check the evidence archive with the CLI alone.
	await expect
		.poll(async () => (await pageA.request.get(`/api/envelopes/${id}/final`)).status(), {
			timeout: 60_000
		})
		.toBe(200);
	const final = await (await pageA.request.get(`/api/envelopes/${id}/final`)).body();
	expect(final.subarray(0, (await rendered.body()).byteLength)).toEqual(await rendered.body());
	const poppler = pdfsig(final);
	expect(poppler).toContain('Signature is Valid.');
	expect(poppler).toContain('Total document signed');
	expect(qpdfCheck(final).status).toBe(0);
	// The second signer downloads the same file and the archive from their own account.
	const evidence = await pageB.request.get(`/api/envelopes/${id}/evidence`);
	expect(evidence.status()).toBe(200);
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-evidence-'));
	writeFileSync(join(dir, 'evidence.zip'), await evidence.body());
	const verified = spawnSync(
		process.execPath,
		['bin/sealpass.mjs', 'verify', join(dir, 'evidence.zip'), '--json'],
		{ env: { ...process.env, SEALPASS_SKIP_BUILD: '1' }, encoding: 'utf8' }
	);
	rmSync(dir, { recursive: true, force: true });
	expect(verified.status, verified.stdout + verified.stderr).toBe(0);
	expect(JSON.parse(verified.stdout)).toMatchObject({ verdict: 'valid', codes: [] });
	await contextA.close();
	await contextB.close();
});

test('proof 4: an assertion without user verification is refused with UV_REQUIRED and the ticket stays unspent', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(180_000);
	// The in-page ceremony needs no service worker (as in ingest.spec.ts).
	const context = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		serviceWorkers: 'block'
	});
	const page = await context.newPage();
	const authenticator: VirtualAuthenticator = await enrolAdmin(page, freshServer.setupLink!);
	const passkeys = (await api(page, 'GET', '/api/passkeys')).body.passkeys as { id: string }[];
	const credentialId = passkeys[0]!.id;
	const tickets = (await api(page, 'POST', '/api/tickets', { credentialId })).body.tickets as {
		id: string;
		nonce: string;
	}[];
	const { items } = (await api(page, 'GET', '/api/inbox')).body as { items: { id: string }[] };
	const envelope = (await api(page, 'GET', `/api/envelopes/${items[0]!.id}`)).body
		.envelope as Envelope;
	const signatureBytes = await signaturePng();
	// The demo seal as the server holds it, as the device's signing kit brings it.
	const kitSeal = await demoSeal(page);
	const sealBytes = kitSeal.bytes;
	const images = {
		[sha256Hex(signatureBytes)]: Buffer.from(signatureBytes).toString('base64'),
		[kitSeal.image]: Buffer.from(sealBytes).toString('base64')
	};
	const sign = (userVerification: UserVerificationRequirement) =>
		signInPage(page, {
			envelope,
			credentialId,
			ticket: { id: tickets[0]!.id, nonce: tickets[0]!.nonce },
			signature: sha256Hex(signatureBytes),
			seal: kitSeal,
			deviceTime: new Date().toISOString(),
			userVerification
		});

	// The person is not verified and the ceremony does not insist: the authenticator answers
	// with a valid signature but without the UV flag.
	await authenticator.setUserVerified(false);
	const unverified = await sign('discouraged');
	const refused = await api(page, 'POST', '/api/submissions', {
		idempotencyKey: 'e2e-no-uv-0001',
		manifest: unverified.manifest,
		assertion: unverified.assertion,
		images
	});
	expect(refused.status).toBe(422);
	expect(refused.body.error?.code).toBe('UV_REQUIRED');

	// The ticket was not consumed: the pool still holds it, and a verified confirmation with the
	// same ticket goes through.
	const pool = (await api(page, 'POST', '/api/tickets', { credentialId })).body.tickets as {
		id: string;
	}[];
	expect(pool.map((t) => t.id)).toContain(tickets[0]!.id);
	await authenticator.setUserVerified(true);
	const verified = await sign('required');
	const accepted = await api(page, 'POST', '/api/submissions', {
		idempotencyKey: 'e2e-uv-0001',
		manifest: verified.manifest,
		assertion: verified.assertion,
		images
	});
	expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
	await context.close();
});

test('proof 5: revoked while the signer is offline with a confirmed signature — DOC_REVOKED on the item, nothing lost', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const { offline, demo } = await offlineContract(context, freshServer.setupLink!);
	await markAndConfirm(offline);
	const confirmed = (await deviceState(offline, demo.id)).outbox;
	expect(confirmed).toHaveLength(1);

	// The admin revokes the contract from elsewhere while this device is offline.
	const admin = await adminElsewhere(context, freshServer.url);
	const revoked = await admin.post(`/api/admin/contracts/${demo.id}/revoke`, {
		data: { reason: '合同条款已变更' }
	});
	expect(revoked.status(), await revoked.text()).toBe(200);
	await admin.dispose();

	await offline.close();
	const inbox = await openOfflineTab(context, '/inbox');
	await openTab(inbox, 'Not yet synced');
	const item = inbox.getByTestId('outbox-item');
	await expect(item).toHaveAttribute('data-state', 'pending');

	// Back online: the upload is refused for good, and the item says why.
	await context.setOffline(false);
	await expect.poll(() => outboxStates(inbox, demo.id), { timeout: 90_000 }).toEqual(['failed']);
	await expect(item).toHaveAttribute('data-state', 'failed');
	await expect(item.getByRole('alert')).toContainText('DOC_REVOKED');

	// Nothing lost: the row keeps the manifest and the assertion as they were confirmed.
	const after = (await deviceState(inbox, demo.id)).outbox;
	expect(after).toHaveLength(1);
	expect(after[0]!.error?.code).toBe('DOC_REVOKED');
	expect(after[0]!.manifest).toEqual(confirmed[0]!.manifest);
	expect(after[0]!.assertion).toEqual(confirmed[0]!.assertion);
	expect(after[0]!.manifestHash).toBe(confirmed[0]!.manifestHash);
	await context.close();
});

test('proof 2b: 退回 closes the loop: the admin sees the return and its reason, replaces the document and resends; the same signer signs the new revision and the contract completes', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(420_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await downloadDemo(page);
	await expect(page.getByTestId('ticket-supply')).toHaveAttribute('data-remaining', '50');
	const reason = '第三条价格有误，请修改后重新发送';

	// The signer returns it (online: the sync engine uploads the return by itself).
	await page.goto(`/inbox/${demo.id}`);
	await expect(page.getByTestId('signing')).toBeVisible();
	await page.getByRole('button', { name: 'Decline', exact: true }).click();
	const dialog = page.getByRole('dialog', { name: 'Decline this contract' });
	await dialog.getByLabel('Reason').fill(reason);
	await dialog.getByRole('button', { name: 'Confirm decline' }).click();
	await expect(dialog.getByTestId('reject-done')).toBeVisible({ timeout: 30_000 });
	await dialog.getByRole('button', { name: 'Close' }).click();
	await expect.poll(() => outboxStates(page, demo.id), { timeout: 90_000 }).toEqual(['synced']);

	// The admin (the demo's sender) sees "Returned" on the list and the page, with the reason,
	// and the notice of the return with its reason in both languages is in the outbox.
	await page.goto('/admin');
	const listed = page.getByRole('row').filter({ hasText: demo.title });
	await expect(listed.getByTestId('contract-state')).toHaveText('Returned');
	await page.goto(`/admin/contracts/${demo.id}`);
	await expect(page.getByTestId('contract-status')).toHaveText('Returned');
	await expect(page.getByTestId('progress-row')).toHaveAttribute('data-state', 'rejected');
	await expect(page.getByTestId('progress-row')).toContainText(reason);
	await expect
		.poll(
			async () => {
				const { messages } = (await (await page.request.get('/api/admin/outbox')).json()) as {
					messages: { subject: string; body: string }[];
				};
				return messages.some(
					(m) =>
						m.subject.includes('合同被退回') &&
						m.subject.includes('Contract returned') &&
						m.body.includes(reason)
				);
			},
			{ timeout: 60_000 }
		)
		.toBe(true);

	// The admin replaces the document (revision 2): still returned until the explicit resend.
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-resend-'));
	try {
		const file = join(dir, 'revised.pdf');
		writeFileSync(file, await multiPagePdf([A4, A4, A4]));
		await page.getByLabel('Replace the document (new revision)').setInputFiles(file);
		await page.getByRole('button', { name: 'Upload new revision' }).click();
		await expect(page.getByTestId('contract-revision')).toHaveText('2');
		await expect(page.getByTestId('contract-status')).toHaveText('Returned');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	await page.getByRole('button', { name: 'Resend for signing' }).click();
	await expect(page.getByTestId('contract-revision')).toHaveText('3');
	await expect(page.getByTestId('contract-status')).toHaveText('Out for signing');
	await expect(page.getByTestId('progress-row')).toHaveAttribute('data-state', 'pending');

	// The signer finds it to sign again, downloads the new revision and signs it.
	await page.goto('/inbox');
	await openTab(page, 'To sign');
	const card = page.getByRole('tabpanel', { name: 'To sign' }).getByTestId('envelope-card');
	await expect(card).toContainText('Out for signing');
	await card.getByRole('button', { name: 'Download the new revision' }).click();
	await expect(card.getByRole('button', { name: 'Download the new revision' })).toHaveCount(0);
	await page.goto(`/inbox/${demo.id}`);
	await markAndConfirm(page);
	await expect
		.poll(() => outboxStates(page, demo.id), { timeout: 90_000 })
		.toEqual(['synced', 'synced']);

	await page.goto(`/admin/contracts/${demo.id}`);
	await expect(page.getByTestId('contract-status')).toHaveText('Completed');
	await expect(page.getByTestId('progress-row')).toHaveAttribute('data-state', 'signed');
	await context.close();
});
