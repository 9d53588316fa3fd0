import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';
import { api, demoSeal, signInPage } from './support/signing';
import type { Envelope } from '../../src/lib/domain/envelope';
import { sha256Hex, signaturePng } from '../support/images';

// The admin review of synced signatures, end to end: a real passkey (Chromium's virtual
// authenticator) confirms the demo contract through the real ingest, then the admin finds the
// submission in the list, re-verifies the stored assertion on the server, flags it with a
// comment, and the "flagged" filter shows it; the seal it stamped with still counts the use and
// its usage history leads back to the submission.

test.use({ locale: 'en-US', serviceWorkers: 'block' });

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

test('RV2, RV3, RV4, SA7, SA8: the admin finds a signed submission, re-verifies it ✓, flags it with a comment, the flagged filter lists it, and the seal’s usage history still leads to it', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(120_000);
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	await enrolAdmin(page, freshServer.setupLink!);

	// The admin signs the demo contract with the passkey just enrolled (the in-page route of
	// ingest.spec.ts), so the submission carries a real assertion.
	const passkeys = (await api(page, 'GET', '/api/passkeys')).body.passkeys as { id: string }[];
	const credentialId = passkeys[0]!.id;
	const contracts = (await api(page, 'GET', '/api/admin/contracts')).body.contracts as {
		id: string;
		title: string;
	}[];
	const contract = contracts[0]!;
	const pool = await api(page, 'POST', '/api/tickets', { credentialId });
	const { id, nonce } = (pool.body.tickets as { id: string; nonce: string }[])[0]!;
	const ticket = { id, nonce };
	const envelope = (await api(page, 'GET', `/api/envelopes/${contract.id}`)).body
		.envelope as Envelope;
	const signatureBytes = await signaturePng();
	// The demo seal as the server holds it, as the device's signing kit brings it.
	const kitSeal = await demoSeal(page);
	const sealBytes = kitSeal.bytes;
	const signature = sha256Hex(signatureBytes);
	const seal = kitSeal.image;
	const signed = await signInPage(page, {
		envelope,
		credentialId,
		ticket,
		signature,
		seal: kitSeal,
		deviceTime: new Date().toISOString()
	});
	const accepted = await api(page, 'POST', '/api/submissions', {
		idempotencyKey: 'e2e-review-0001',
		manifest: signed.manifest,
		assertion: signed.assertion,
		images: { [signature]: b64(signatureBytes), [seal]: b64(sealBytes) }
	});
	expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
	const submissionId = accepted.body.submissionId as string;

	// From the admin home to the list, by keyboard-reachable links.
	await page.goto('/admin');
	await page.getByRole('link', { name: 'Review signatures' }).click();
	await expect(page).toHaveURL(/\/admin\/submissions$/);
	const rows = page.getByTestId('review-row');
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toContainText(contract.title);
	await expect(rows.first()).toContainText('Accepted, awaiting review');
	await expect(rows.first()).toContainText('Online');

	await rows.first().getByRole('link', { name: 'Open' }).click();
	await expect(page).toHaveURL(new RegExp(`/admin/submissions/${submissionId}$`));
	await expect(page.getByRole('heading', { level: 1 })).toContainText(contract.title);
	await expect(page.getByTestId('review-uv')).toHaveText('Yes');
	// The signer as the contract names them, not the internal signer id (kept behind a toggle).
	const signer = envelope.signers.find((s) => s.id === signed.manifest.signerId)!;
	const party = envelope.parties.find((p) => p.id === signer.partyId)!;
	const role = page.getByTestId('review-signer-role');
	await expect(role).toContainText(`${signer.name} (${party.name})`);
	await expect(role.getByText(`Signer id: ${signer.id}`)).toBeHidden();
	await role.getByText('Internal ids').click();
	await expect(role.getByText(`Signer id: ${signer.id}`)).toBeVisible();
	// Both marks with their pages, and their images served by the admin image route.
	const marks = page.getByTestId('review-marks').getByRole('listitem');
	await expect(marks).toHaveCount(2);
	await expect(marks.nth(0)).toContainText('Signature');
	await expect(marks.nth(1)).toContainText('Seal');
	for (const img of await page.getByTestId('review-marks').getByRole('img').all()) {
		await expect
			.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth))
			.toBeGreaterThan(0);
	}
	await expect(page.getByTestId('manifest-hash')).toHaveText(/^[0-9a-f]{64}$/);

	await page.getByRole('button', { name: 'Verify again from scratch' }).click();
	await expect(page.getByTestId('verify-result')).toContainText('✓ Verified again');
	await expect(page.getByTestId('verify-result')).toContainText('Passkey signature');
	// Each step in words a reviewer understands; rule ids and hashes only behind the toggle.
	const checks = page.getByTestId('verify-check');
	await expect(checks.filter({ hasText: 'Passkey signature' })).toContainText(
		'The passkey signature over the record is genuine.'
	);
	for (const text of await checks.allTextContents()) expect(text).not.toMatch(/\([A-Z]+\d+/);
	const technical = page.getByTestId('verify-technical');
	await expect(technical.getByText(/\(M1\)/)).toBeHidden();
	await technical.getByText('Technical details').click();
	await expect(technical.getByText(/\(M1\)/)).toBeVisible();

	// An empty comment is refused in place; the comment the admin then writes is saved.
	await page.getByRole('button', { name: 'Flag' }).click();
	await expect(page.getByRole('alert')).toContainText('A comment needs 1 to 500 characters');
	await page.getByLabel('Comment (1–500 characters)').fill('Seal looks blurred; ask the signer');
	await page.getByRole('button', { name: 'Flag' }).click();
	await expect(page.getByTestId('review-status')).toHaveText('Flagged');
	await expect(page.getByTestId('review-history')).toContainText(
		'Seal looks blurred; ask the signer'
	);

	// The list's status filter shows it under "Flagged" and no longer under "awaiting review".
	await page.getByRole('link', { name: 'All submissions' }).click();
	await page.getByRole('combobox', { name: 'Status' }).selectOption('flagged');
	await page.getByRole('button', { name: 'Apply filters' }).click();
	await expect(page).toHaveURL(/status=flagged/);
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toHaveAttribute('data-status', 'flagged');
	await expect(rows.first()).toContainText('Flagged');
	await page.getByRole('combobox', { name: 'Status' }).selectOption('accepted');
	await page.getByRole('button', { name: 'Apply filters' }).click();
	await expect(page.getByTestId('review-empty')).toBeVisible();

	// SA7, SA8: the flag is a review opinion, not an undoing: the seal still counts the use, and
	// its usage history (opened from the count, by keyboard) leads back to this submission.
	const empty = await api(page, 'POST', '/api/admin/seals', {
		name: 'E2E 未用章',
		spec: { orgName: '测试科技有限公司' }
	});
	expect(empty.status, JSON.stringify(empty.body)).toBe(201);
	await page.goto('/admin');
	await page.getByRole('link', { name: 'Manage seals' }).click();
	const unused = page.getByTestId('admin-seal').filter({ hasText: 'E2E 未用章' });
	await unused.getByRole('button', { name: '0 signed: usage history of E2E 未用章' }).click();
	await expect(unused.getByRole('button', { expanded: true })).toBeVisible();
	await expect(page.getByTestId('seal-uses-none')).toHaveText(
		'Not used yet: no synced signature stamps with this seal.'
	);
	const sealRow = page.locator('[data-testid="admin-seal"][data-seal-id="seal-demo-contract"]');
	const usage = sealRow.getByTestId('seal-usage');
	await expect(usage).toHaveAccessibleName(/^1 signed: usage history of /);
	await expect(usage).toHaveAttribute('aria-expanded', 'false');
	await usage.focus();
	await page.keyboard.press('Enter');
	await expect(usage).toHaveAttribute('aria-expanded', 'true');
	const history = page.locator(`#${await usage.getAttribute('aria-controls')}`);
	const uses = history.getByTestId('seal-use');
	await expect(uses).toHaveCount(1);
	await expect(uses.first()).toHaveAttribute('data-submission-id', submissionId);
	await expect(uses.first()).toContainText(contract.title);
	await expect(uses.first()).toContainText('Administrator');
	await expect(uses.first()).toContainText('Seal field · Page 3');
	await expect(uses.first().getByTestId('seal-use-status')).toHaveText('Flagged');
	await expect(history.getByRole('button', { name: 'Load more' })).toHaveCount(0);
	await uses
		.first()
		.getByRole('link', { name: /^Open submission/ })
		.click();
	await expect(page).toHaveURL(new RegExp(`/admin/submissions/${submissionId}$`));
	await expect(page.getByTestId('review-status')).toHaveText('Flagged');

	// A signed-out visitor gets no list from the API.
	const anonymous = await browser.newContext({ baseURL: freshServer.url });
	const refused = await anonymous.request.get('/api/admin/submissions');
	expect(refused.status()).toBe(401);
	const usesRefused = await anonymous.request.get('/api/admin/seals/seal-demo-contract/uses');
	expect(usesRefused.status()).toBe(401);
	await anonymous.close();
	await context.close();
});
