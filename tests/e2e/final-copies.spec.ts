import { readFileSync } from 'node:fs';
import type { Download, Page } from '@playwright/test';
import { test, expect, waitForServiceWorkerControl } from './support/fixtures';
import { enrolAdmin, openOfflineTab } from './support/flows';
import { deviceFinals } from './support/device';
import { api, demoSeal, signInPage } from './support/signing';
import type { Envelope } from '../../src/lib/domain/envelope';
import { sha256Hex, signaturePng } from '../support/images';
import { qpdfCheck } from '../support/poppler';

// A completed contract's signed PDF and evidence archive on the signer's device: the inbox keeps
// the final PDF by itself once the server finalised the contract, the evidence archive when
// asked, and the 已完成 card saves both with the network off. The files saved offline are the
// server's (SHA-256, qpdf) and pass the /verify page, itself offline.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Signs the demo contract (its one signer) with the page's passkey: the contract completes. */
async function completeDemo(page: Page): Promise<{ id: string; title: string }> {
	const passkeys = (await api(page, 'GET', '/api/passkeys')).body.passkeys as { id: string }[];
	const credentialId = passkeys[0]!.id;
	const tickets = (await api(page, 'POST', '/api/tickets', { credentialId })).body.tickets as {
		id: string;
		nonce: string;
	}[];
	const { items } = (await api(page, 'GET', '/api/inbox')).body as {
		items: { id: string; title: string }[];
	};
	expect(items).toHaveLength(1);
	const envelope = (await api(page, 'GET', `/api/envelopes/${items[0]!.id}`)).body
		.envelope as Envelope;
	const signature = await signaturePng();
	const seal = await demoSeal(page);
	const signed = await signInPage(page, {
		envelope,
		credentialId,
		ticket: { id: tickets[0]!.id, nonce: tickets[0]!.nonce },
		signature: sha256Hex(signature),
		seal,
		deviceTime: new Date().toISOString()
	});
	const accepted = await api(page, 'POST', '/api/submissions', {
		idempotencyKey: 'e2e-final-copies-0001',
		manifest: signed.manifest,
		assertion: signed.assertion,
		images: { [sha256Hex(signature)]: b64(signature), [seal.image]: b64(seal.bytes) }
	});
	expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
	expect(accepted.body.envelopeStatus).toBe('completed');
	return items[0]!;
}

/** Selects an inbox tab, repeating a click that landed before the page hydrated. */
async function openTab(page: Page, name: string): Promise<void> {
	const tab = page.getByRole('tab', { name });
	await expect(async () => {
		await tab.click();
		await expect(tab).toHaveAttribute('aria-selected', 'true', { timeout: 2_000 });
	}).toPass({ timeout: 60_000 });
}

/** Clicks a button that saves a file and returns the download with its bytes. */
async function save(page: Page, name: string): Promise<{ download: Download; bytes: Buffer }> {
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name }).click()
	]);
	return { download, bytes: readFileSync((await download.path())!) };
}

test('the completed card keeps the signed PDF and the evidence on the device and saves both offline; the saved files are the server’s and verify on /verify offline', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const context = await browser.newContext({
		baseURL: freshServer.url,
		locale: 'en-US',
		acceptDownloads: true
	});
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);
	const demo = await completeDemo(page);

	// Completed, so the server finalises in the background (SPEC C4): wait for the final PDF.
	await expect
		.poll(async () => (await page.request.get(`/api/envelopes/${demo.id}/final`)).status(), {
			timeout: 120_000
		})
		.toBe(200);
	const { items } = (await (await page.request.get('/api/inbox')).json()) as {
		items: { id: string; finalSha256: string | null }[];
	};
	const finalSha256 = items.find((i) => i.id === demo.id)!.finalSha256!;
	expect(finalSha256).toMatch(/^[0-9a-f]{64}$/);

	// The inbox, online: it keeps the final PDF on the device by itself, checked against the hash.
	await page.goto('/inbox');
	await waitForServiceWorkerControl(page);
	await expect
		.poll(async () => (await deviceFinals(page)).map((f) => [f.kind, f.sha256]), {
			timeout: 90_000
		})
		.toEqual([['pdf', finalSha256]]);
	await openTab(page, 'Done');
	const card = page.getByRole('tabpanel', { name: 'Done' }).getByTestId('envelope-card');
	await expect(card.getByTestId('final-pdf')).toHaveAttribute('data-kept', 'true');
	await expect(card.getByTestId('final-pdf')).toContainText('The signed PDF is on this device');
	// The evidence archive waits to be asked for; saving it the first time keeps a copy.
	await expect(card.getByTestId('final-evidence')).toHaveAttribute('data-kept', 'false');
	await save(page, 'Save the evidence archive');
	await expect(card.getByTestId('final-evidence')).toHaveAttribute('data-kept', 'true');
	await expect(card.getByTestId('final-error')).toHaveCount(0);

	// Offline, in a tab the service worker serves: both save from the device copy.
	const offline = await openOfflineTab(context, '/inbox');
	await openTab(offline, 'Done');
	const offlineCard = offline.getByRole('tabpanel', { name: 'Done' }).getByTestId('envelope-card');
	await expect(offlineCard.getByTestId('final-pdf')).toHaveAttribute('data-kept', 'true');
	const pdf = await save(offline, 'Save the signed PDF');
	expect(pdf.download.suggestedFilename()).toBe(`${demo.title}-signed.pdf`);
	expect(sha256Hex(pdf.bytes)).toBe(finalSha256);
	const check = qpdfCheck(pdf.bytes);
	expect(check.status, check.output).toBe(0);
	const evidence = await save(offline, 'Save the evidence archive');
	expect(evidence.download.suggestedFilename()).toBe(`${demo.title}-evidence.zip`);
	expect(evidence.bytes.subarray(0, 2).toString('latin1')).toBe('PK');

	// The files this device saved, dropped on /verify with the network still off: valid.
	await offline.goto(`/verify?doc=${encodeURIComponent(demo.id)}`);
	await expect(offline.getByRole('heading', { level: 1, name: 'Verify a document' })).toBeVisible();
	await expect(offline.getByTestId('connection')).toHaveAttribute('data-online', 'false');
	await offline.getByRole('button', { name: /^Final PDF/ }).setInputFiles({
		name: pdf.download.suggestedFilename(),
		mimeType: 'application/pdf',
		buffer: pdf.bytes
	});
	await offline.getByRole('button', { name: /^Evidence archive/ }).setInputFiles({
		name: evidence.download.suggestedFilename(),
		mimeType: 'application/zip',
		buffer: evidence.bytes
	});
	const verdict = offline.getByTestId('verify-verdict');
	await expect(verdict).toHaveAttribute('data-verdict', 'valid', { timeout: 90_000 });
	await expect(offline.getByTestId('verify-signer')).toHaveCount(1);
	await expect(offline.getByTestId('verify-doc-mismatch')).toHaveCount(0);
	await context.setOffline(false);
	await context.close();
});
