import type { Page } from '@playwright/test';
import { test, expect, waitForServiceWorkerControl } from './support/fixtures';
import { packEvidence } from '../../src/lib/evidence/format';
import { cloneBundle, createEvidenceWorld, type EvidenceWorld } from '../support/evidence-world';
import { multiPagePdf } from '../support/test-pdfs';

test.use({ locale: 'en-US' });
// The machine is shared and the browser re-renders whole contracts: generous, never fixed waits.
test.describe.configure({ timeout: 180_000 });

/*
 * The public verify page: a stranger checks a finished contract in the browser, offline. The
 * files are a real signed final PDF and a real evidence archive (evidence-world), so the page
 * runs the same verifier on the same bytes the server would hand out.
 */

interface Files {
	world: EvidenceWorld;
	pdf: Buffer;
	/** Format 2: names the CJK font its date was drawn with by SHA-256, does not carry it. */
	archive: Buffer;
	/** The same contract naming a font this site does not have. */
	otherFontArchive: Buffer;
	/** The installed font file, as a visitor would pick it. */
	font: Buffer;
}

let files: Files;

test.beforeAll(async () => {
	test.setTimeout(180_000);
	const world = await createEvidenceWorld();
	const elsewhere = cloneBundle(world.bundle);
	elsewhere.font!.sha256 = 'ab'.repeat(32);
	files = {
		world,
		pdf: Buffer.from(world.bundle.finalPdf!),
		archive: Buffer.from(await packEvidence(world.bundle)),
		otherFontArchive: Buffer.from(await packEvidence(elsewhere)),
		font: Buffer.from(world.font)
	};
});

const pdfFile = (buffer: Buffer, name = 'contract-final.pdf') => ({
	name,
	mimeType: 'application/pdf',
	buffer
});
const zipFile = (buffer: Buffer, name = 'contract-evidence.zip') => ({
	name,
	mimeType: 'application/zip',
	buffer
});

const verdict = (page: Page) => page.getByTestId('verify-verdict');
/** The file inputs, found by the visible label of their slot ("Final PDF", "Evidence archive"). */
const pdfInput = (page: Page) => page.getByRole('button', { name: /^Final PDF/ });
const archiveInput = (page: Page) => page.getByRole('button', { name: /^Evidence archive/ });
const fontInput = (page: Page) => page.getByRole('button', { name: /^Font file/ });
const fontFile = (buffer: Buffer, name = 'NotoSansSC_400Regular.ttf') => ({
	name,
	mimeType: 'font/ttf',
	buffer
});

/** The browser re-renders the contract and checks RSA and ECDSA signatures: allow it time. */
const CHECK_TIMEOUT = { timeout: 90_000 };

async function expectValidWithBothSigners(page: Page) {
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'valid', CHECK_TIMEOUT);
	await expect(verdict(page)).toHaveText(/Valid: every check passed/);
	const signers = page.getByTestId('verify-signer');
	await expect(signers).toHaveCount(2);
	await expect(signers.nth(0)).toContainText('Signer alice');
	await expect(signers.nth(1)).toContainText('Signer bob');
	await expect(signers.nth(0)).toContainText('Signed');
	await expect(signers.nth(0).getByText('Device time')).toBeVisible();
	await expect(signers.nth(0).getByText('Received by the server')).toBeVisible();
	await expect(
		page.getByTestId('verify-check').and(page.locator('[data-status="failed"]'))
	).toHaveCount(0);
	await expect(
		page.getByTestId('verify-archive-checks').getByTestId('verify-check').first()
	).toHaveAttribute('data-status', 'passed');
}

test('the final PDF with its evidence archive is valid, both signers listed; the link’s contract id is shown', async ({
	page
}) => {
	const id = files.world.bundle.envelope.id;
	await page.goto(`/verify?doc=${encodeURIComponent(id)}`);
	await expect(page.getByTestId('verify-doc')).toHaveText(`You are checking contract ${id}.`);
	await pdfInput(page).setInputFiles(pdfFile(files.pdf));
	await archiveInput(page).setInputFiles(zipFile(files.archive));
	await expectValidWithBothSigners(page);
	await expect(page.getByTestId('verify-contract')).toContainText(id);
	await expect(page.getByTestId('verify-doc-mismatch')).toHaveCount(0);
});

test('a PDF with one byte changed is invalid: changed after signing', async ({ page }) => {
	const changed = Buffer.from(files.pdf);
	changed[12] = changed[12]! ^ 1;
	await page.goto('/verify');
	await pdfInput(page).setInputFiles(pdfFile(changed));
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'invalid', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('Changed after signing');
	await expect(verdict(page)).toContainText('DIGEST_MISMATCH');
});

test('the signed PDF alone has a valid signature, its certificate shown, and needs the archive for the passkey evidence; its certificate’s contract id is compared with the link’s', async ({
	page
}) => {
	await page.goto('/verify?doc=another-contract');
	await pdfInput(page).setInputFiles(pdfFile(files.pdf));
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'partial', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('valid signature over the whole file');
	await expect(verdict(page)).toContainText('needs the evidence archive');
	await expect(page.getByTestId('verify-pdf-facts')).toContainText('SealPass platform signature');
	await expect(page.getByTestId('verify-doc-mismatch')).toHaveText(
		`The files you picked are for contract ${files.world.bundle.envelope.id}, not contract another-contract from the link.`
	);
});

test('an archive with a forged passkey assertion is invalid and names the code; another contract than the link’s is called out', async ({
	page
}) => {
	const { world } = files;
	const forged = cloneBundle(world.bundle);
	forged.submissions[0] = await world.submit('sub-alice', world.manifests.alice, world.alice, {
		bogusSignature: true
	});
	const archive = Buffer.from(await packEvidence(forged));
	await page.goto('/verify?doc=another-contract');
	await pdfInput(page).setInputFiles(pdfFile(files.pdf));
	await archiveInput(page).setInputFiles(zipFile(archive));
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'invalid', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('A passkey signature does not verify');
	await expect(verdict(page)).toContainText('ASSERTION_INVALID');
	const alice = page.getByTestId('verify-signer').nth(0);
	await expect(alice.getByTestId('verify-code')).toContainText('ASSERTION_INVALID');
	await expect(page.getByTestId('verify-doc-mismatch')).toHaveText(
		`The files you picked are for contract ${world.bundle.envelope.id}, not contract another-contract from the link.`
	);
});

test('a PDF not made by SealPass has no SealPass signature; a file that is not a PDF or zip gets a clear error', async ({
	page
}) => {
	await page.goto('/verify');
	await pdfInput(page).setInputFiles(pdfFile(Buffer.from(await multiPagePdf())));
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'invalid', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('No SealPass signature found');

	await pdfInput(page).setInputFiles(pdfFile(Buffer.from('hello, world'), 'notes.pdf'));
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'error', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('This file is not a PDF.');

	await page.getByRole('button', { name: 'Remove' }).click();
	await archiveInput(page).setInputFiles(
		zipFile(Buffer.from('%PDF-1.7 not a zip'), 'evidence.zip')
	);
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'error', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('This file is not a zip archive.');
});

test('with the network off the page reloads from the service worker and still verifies, the font kept from the online check', async ({
	page,
	context
}) => {
	await page.goto('/verify');
	await waitForServiceWorkerControl(page);
	// Online first: the archive names the font by SHA-256 and the page fetches it from the site.
	await pdfInput(page).setInputFiles(pdfFile(files.pdf));
	await archiveInput(page).setInputFiles(zipFile(files.archive));
	await expectValidWithBothSigners(page);
	await context.setOffline(true);
	try {
		await page.reload();
		await expect(page.getByRole('heading', { level: 1, name: 'Verify a document' })).toBeVisible();
		await expect(page.getByTestId('connection')).toHaveAttribute('data-online', 'false');
		await pdfInput(page).setInputFiles(pdfFile(files.pdf));
		await archiveInput(page).setInputFiles(zipFile(files.archive));
		await expectValidWithBothSigners(page);
	} finally {
		await context.setOffline(false);
	}
});

test('offline and never given the font, the date-field archive is not verified until the visitor picks the font file the archive names', async ({
	page,
	context
}) => {
	const expected = files.world.bundle.font!.sha256;
	await page.goto('/verify');
	await waitForServiceWorkerControl(page);
	await context.setOffline(true);
	try {
		await pdfInput(page).setInputFiles(pdfFile(files.pdf));
		await archiveInput(page).setInputFiles(zipFile(files.archive));
		await expect(verdict(page)).toHaveAttribute('data-verdict', 'error', CHECK_TIMEOUT);
		await expect(verdict(page)).toContainText('could not get it');
		await expect(verdict(page)).toContainText(`SHA-256 ${expected}`);
		await expect(page.getByTestId('verify-signer')).toHaveCount(0);
		await fontInput(page).setInputFiles(fontFile(files.font));
		await expectValidWithBothSigners(page);
	} finally {
		await context.setOffline(false);
	}
});

test('an archive naming another font than the site’s is not verified: the page names the SHA-256 it needs and refuses a picked font that is not it', async ({
	page
}) => {
	const other = 'ab'.repeat(32);
	const ours = files.world.bundle.font!.sha256;
	await page.goto('/verify');
	await pdfInput(page).setInputFiles(pdfFile(files.pdf));
	await archiveInput(page).setInputFiles(zipFile(files.otherFontArchive));
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'error', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText('is not the one the archive’s dates were drawn with');
	await expect(verdict(page)).toContainText(`SHA-256 ${other}`);
	await expect(verdict(page)).toContainText(`The font given has SHA-256 ${ours}`);
	await expect(page.getByTestId('verify-signer')).toHaveCount(0);
	await fontInput(page).setInputFiles(fontFile(files.font, 'my-font.ttf'));
	await expect(page.getByTestId('verify-font-name')).toHaveText('my-font.ttf');
	await expect(verdict(page)).toHaveAttribute('data-verdict', 'error', CHECK_TIMEOUT);
	await expect(verdict(page)).toContainText(`SHA-256 ${other}`);
	await expect(page.getByTestId('verify-check')).toHaveCount(0);
});
