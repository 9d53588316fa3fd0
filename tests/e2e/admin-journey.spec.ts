import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import sharp from 'sharp';
import type { Browser, Locator, Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { acceptInvitation, downloadContract, enrolAdmin, openOfflineTab } from './support/flows';
import { confirmWithPasskey, drawSignature } from './support/mark-confirm';
import { carryPasskey, deviceState } from './support/device';
import { residentIdCheckChar } from '../../src/lib/domain/validators';
import { multiPagePdf, qpdfEncrypted, truncated } from '../support/test-pdfs';
import { qpdfCheck, redPixels, type Raster } from '../support/poppler';

// The admin's end-to-end proof, as one admin's story told through the UI: a seal generated and
// authorised, a real three-page PDF uploaded with fields for two signers (one with a seal and a
// riding seam), both signers invited and enrolled, one signing online and one offline, the admin
// reviewing both with verification ✓, the rendered document judged by qpdf and pdftoppm, a
// tampered audit row caught, and refused uploads that create nothing. The seal from a photo (a
// stamp photographed on paper becoming a transparent seal) is proven in seal-photo.spec.ts.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

const ORG = '示例科技有限公司';
const SEAL_NAME = '合同专用章';
const TITLE = 'Supply agreement 供货合同';
/** Our organisation's signer, who holds the seal and signs offline. */
const OURS = {
	name: '王五',
	contact: 'wangwu@example.cn',
	idBody: '44030019900307001',
	marks: ['Signature', 'Seal', 'Riding-seam seal']
};
/** The counterparty's signer, who signs online. */
const THEIRS = {
	name: '李四',
	contact: 'lisi@example.cn',
	idBody: '11010519491231002',
	marks: ['Signature']
};
const DPI = 50;

interface Rect {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** The field's stored rectangle in PDF points, as the editor exposes it. */
async function rectOf(field: Locator): Promise<Rect> {
	const [x, y, width, height] = (await field.getAttribute('data-rect'))!.split(',').map(Number);
	return { x: x!, y: y!, width: width!, height: height! };
}

/** Draws (or, from = to, clicks) a field with the pointer inside page `n`, in page fractions. */
async function drag(page: Page, n: number, from: [number, number], to: [number, number]) {
	const layer = page.locator(`[data-testid="page-layer"][data-page="${n}"]`);
	await layer.evaluate((el, fy) => {
		const r = el.getBoundingClientRect();
		window.scrollBy(0, r.top + r.height * fy - innerHeight / 2);
	}, from[1]);
	const box = (await layer.boundingBox())!;
	await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
	await page.mouse.up();
}

/** The invitation message the console adapter put in the admin outbox for `contact`. */
async function invitationFor(admin: Page, contact: string) {
	await admin.goto('/admin');
	await admin.getByRole('link', { name: 'Invitations' }).click();
	const message = admin.getByTestId('outbox-item').filter({ hasText: contact }).first();
	await expect(message).toContainText('verification code');
	return (await message.textContent())!;
}

/**
 * A signer on their own phone (a browser context of its own) accepts the invitation with
 * `acceptInvitation` and lands in the inbox.
 */
async function signerPhone(
	browser: Browser,
	baseURL: string,
	invitation: string,
	person: { name: string; idBody: string }
) {
	const context = await browser.newContext({ baseURL, locale: 'en-US' });
	const page = await context.newPage();
	const authenticator = await acceptInvitation(page, invitation, {
		name: person.name,
		residentId: person.idBody + residentIdCheckChar(person.idBody)
	});
	return { context, page, authenticator };
}

async function outboxStates(page: Page, envelopeId: string): Promise<string[]> {
	return (await deviceState(page, envelopeId)).outbox.map((r) => r.state);
}

function grow(r: Rect, by: number): Rect {
	return { x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by };
}

/** `pdftoppm -r 50 -png` of one page, decoded to RGB with sharp. */
async function renderPage(pdf: Uint8Array, n: number): Promise<Raster> {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-journey-'));
	try {
		writeFileSync(join(dir, 'doc.pdf'), pdf);
		execFileSync('pdftoppm', [
			'-r',
			String(DPI),
			'-png',
			'-f',
			String(n),
			'-l',
			String(n),
			'-singlefile',
			join(dir, 'doc.pdf'),
			join(dir, 'page')
		]);
		const { data, info } = await sharp(readFileSync(join(dir, 'page.png')))
			.removeAlpha()
			.raw()
			.toBuffer({ resolveWithObject: true });
		return { width: info.width, height: info.height, data: new Uint8Array(data) };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Edits one audit row in the SQLite file as someone holding the file could: drop the trigger
 * that refuses updates, change who the seal was authorised for, put the trigger back.
 */
function forgeSealAuthorisation(dataDir: string, userId: string): number {
	const raw = new SQLite(join(dataDir, 'sealpass.db'));
	try {
		raw.pragma('busy_timeout = 5000');
		const { sql } = raw
			.prepare(`select sql from sqlite_master where type = 'trigger' and name = ?`)
			.get('audit_log_no_update') as { sql: string };
		const { seq } = raw
			.prepare(`select seq from audit_log where kind = 'seal.authorised'`)
			.get() as { seq: number };
		raw.exec('drop trigger audit_log_no_update');
		raw
			.prepare(`update audit_log set data = json_set(data, '$.userId', ?) where seq = ?`)
			.run(userId, seq);
		raw.exec(sql);
		return seq;
	} finally {
		raw.close();
	}
}

test('admin proof: seal, contract with a riding seam, two signers (one offline), review ✓, a PDF that qpdf and pdftoppm accept, tampering caught, bad uploads refused', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(600_000);
	const url = freshServer.url;
	const adminContext = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const admin = await adminContext.newPage();
	await enrolAdmin(admin, freshServer.setupLink!);
	const pdf = await multiPagePdf();

	const ourInvite =
		await test.step('the admin generates a seal (defaults → 完成制作) and authorises our signer to use it', async () => {
			await admin.getByRole('link', { name: 'Manage seals' }).click();
			// The seeded demo seal has the default name too: the new one is told apart by its id.
			const seals = admin.getByTestId('admin-seal');
			await expect(seals.first()).toBeVisible();
			const before = await seals.evaluateAll((rows) => rows.map((r) => r.dataset.sealId));
			const editor = admin.locator('#seal-editor');
			// The defaults are a correct seal: the organisation's registered name is already there.
			await expect(editor.getByLabel('Organisation name')).toHaveValue(ORG);
			await expect(editor.getByTestId('seal-preview')).toHaveAttribute('src', /^data:image\/svg/);
			await editor.getByRole('button', { name: 'Done' }).click();
			await expect(admin.getByTestId('seal-notice')).toHaveText(`Seal ${SEAL_NAME} created.`);
			await expect(seals).toHaveCount(before.length + 1);
			const sealId = (await seals.evaluateAll((rows) => rows.map((r) => r.dataset.sealId))).find(
				(id) => !before.includes(id)
			)!;

			// Our signer is invited first, so the seal keeper can name them.
			await admin.goto('/admin');
			await admin.getByRole('link', { name: 'Invitations' }).click();
			await admin.getByLabel('Name', { exact: true }).fill(OURS.name);
			await admin.getByLabel('E-mail or mobile number').fill(OURS.contact);
			await admin.getByRole('button', { name: 'Send invitation' }).click();
			await expect(admin.getByTestId('invite-link')).toHaveText(/\/invite\/[\w-]{22}$/);
			const invitation = await invitationFor(admin, OURS.contact);

			await admin.goto('/admin');
			await admin.getByRole('link', { name: 'Manage seals' }).click();
			const row = admin.locator(`[data-testid="admin-seal"][data-seal-id="${sealId}"]`);
			await expect(row.getByTestId('seal-status')).toHaveText('Active');
			await row.getByLabel(`User to authorise for ${SEAL_NAME}`).selectOption({ label: OURS.name });
			await row.getByRole('button', { name: 'Authorise' }).click();
			await expect(row.getByTestId('seal-users')).toContainText(OURS.name);
			return invitation;
		});

	const ours = await test.step('our signer accepts the invitation and enrols a passkey', () =>
		signerPhone(browser, url, ourInvite, OURS));

	const layout =
		await test.step('the admin uploads a three-page PDF with a title and two parties, places the fields of both signers and sends', async () => {
			await admin.goto('/admin');
			await admin.getByRole('link', { name: 'New contract' }).click();
			await admin.getByLabel('Title').fill(TITLE);
			await admin.getByRole('radio', { name: 'All at the same time' }).check();
			const parties = admin.getByTestId('party');
			await parties.nth(0).getByLabel('Party name').fill(ORG);
			await parties
				.nth(0)
				.getByLabel(/^Account/)
				.selectOption({ label: `${OURS.name} · ${OURS.contact}` });
			await admin.getByRole('button', { name: 'Add a person' }).click();
			await parties.nth(1).getByLabel('Party name').fill(THEIRS.name);
			await parties.nth(1).getByLabel('Name', { exact: true }).fill(THEIRS.name);
			await parties.nth(1).getByLabel('E-mail or mobile number').fill(THEIRS.contact);
			await admin.getByLabel('PDF document').setInputFiles({
				name: 'supply.pdf',
				mimeType: 'application/pdf',
				buffer: Buffer.from(pdf)
			});
			await admin.getByRole('button', { name: 'Upload and place fields' }).click();
			await expect(admin).toHaveURL(/\/admin\/contracts\/[\w-]+\/edit$/);
			const id = /contracts\/([\w-]+)\/edit/.exec(admin.url())![1]!;
			await expect(admin.getByTestId('page-layer')).toHaveCount(3);

			const fields = admin.getByTestId('field');
			const ofSigner = (signer: string, kind: string) =>
				fields.and(admin.locator(`[data-signer="${signer}"][data-kind="${kind}"]`));
			// Our signer: a signature by drag, the seal by keyboard, a riding seam at the right edge.
			await admin.getByRole('radio', { name: OURS.name }).check();
			await admin.getByRole('button', { name: 'Signature', exact: true }).click();
			await drag(admin, 1, [0.1, 0.75], [0.4, 0.83]);
			await expect(ofSigner('signer-1', 'signature')).toHaveCount(1);
			await admin.getByRole('button', { name: 'Seal', exact: true }).focus();
			await admin.keyboard.press('Space');
			await admin.getByTestId('keyboard-page').selectOption('1');
			await admin.getByRole('button', { name: 'Add at the page centre' }).focus();
			await admin.keyboard.press('Enter');
			const seal = ofSigner('signer-1', 'seal');
			await expect(seal).toBeFocused();
			for (let i = 0; i < 5; i++) await admin.keyboard.press('ArrowLeft');
			await admin.getByRole('button', { name: 'Riding seam', exact: true }).click();
			await drag(admin, 1, [0.9, 0.4], [0.9, 0.4]);
			const seam = ofSigner('signer-1', 'riding-seam');
			await expect(seam).toHaveCount(1);
			// The counterparty: a signature on the last page, in their own colour.
			await admin.getByRole('radio', { name: THEIRS.name }).check();
			await admin.getByRole('button', { name: 'Signature', exact: true }).click();
			await drag(admin, 3, [0.55, 0.75], [0.85, 0.83]);
			await expect(ofSigner('signer-2', 'signature')).toHaveCount(1);

			await expect(admin.getByTestId('ready')).toBeVisible();
			await admin.getByRole('button', { name: 'Save fields' }).click();
			await expect(admin.getByTestId('save-state')).toHaveText('All changes saved');
			const sealRect = await rectOf(seal);
			const seamRect = await rectOf(seam);
			expect(seamRect.x + seamRect.width).toBeCloseTo(595.28, 1);

			await admin.getByRole('link', { name: 'Back to the contract' }).click();
			await admin.getByRole('button', { name: 'Send for signing' }).click();
			await expect(admin.getByTestId('contract-message')).toHaveText(
				/^Sent\. 1 new signer was invited: the code in their message is valid for 10 minutes, and a new one can be asked for\. 1 signer was told the contract is waiting for them\./
			);
			await expect(admin.getByTestId('contract-status')).toHaveText('Out for signing');
			return { id, sealRect, seamRect };
		});

	const theirs =
		await test.step('the counterparty is invited (link and code from the admin outbox) and enrols a passkey', async () =>
			signerPhone(browser, url, await invitationFor(admin, THEIRS.contact), THEIRS));

	await test.step('signer A (the counterparty) signs online', async () => {
		const { page } = theirs;
		const card = await downloadContract(page, TITLE);
		await card.getByRole('link', { name: 'View' }).click();
		await expect(page.getByTestId('pdf-page')).toHaveCount(3);
		await drawSignature(page);
		await confirmWithPasskey(page);
		await expect.poll(() => outboxStates(page, layout.id), { timeout: 90_000 }).toEqual(['synced']);
	});

	await test.step('signer B downloads for offline, goes offline, signs, stamps, adds the riding seam, confirms with the passkey, then syncs back online', async () => {
		const { context, page, authenticator } = ours;
		await downloadContract(page, TITLE);
		const offline = await openOfflineTab(context, `/inbox/${layout.id}`);
		await carryPasskey(authenticator, offline);
		await expect(offline.getByTestId('pdf-page')).toHaveCount(3);
		await drawSignature(offline);
		const tools = offline.getByTestId('marking-tools');
		await tools.getByRole('button', { name: 'Stamp all my seal fields' }).click();
		await expect(offline.getByRole('button', { name: 'Seal field, page 1' })).toHaveAttribute(
			'data-filled',
			'true'
		);
		await tools
			.getByRole('button', { name: 'Add the riding-seam seal this contract asks for' })
			.click();
		for (let k = 0; k < 3; k++) {
			await expect(offline.getByTestId('pdf-page').nth(k).getByTestId('seam-slice')).toHaveCount(1);
		}
		await confirmWithPasskey(offline);
		expect(await outboxStates(offline, layout.id)).toEqual(['pending']);

		await context.setOffline(false);
		await expect
			.poll(() => outboxStates(offline, layout.id), { timeout: 120_000 })
			.toEqual(['synced']);
	});

	await test.step('the admin reviews both submissions: re-verify ✓, accept; the progress shows both signed', async () => {
		await admin.goto('/admin');
		await admin.getByRole('link', { name: 'Review signatures' }).click();
		const rows = admin.getByTestId('review-row');
		await expect(rows).toHaveCount(2);
		for (const signer of [THEIRS, OURS]) {
			const row = rows.filter({ hasText: signer.name });
			await expect(row).toContainText(TITLE);
			await expect(row).toContainText('Accepted, awaiting review');
			// Our signer confirmed with the network off, which their device recorded (RV1): offline,
			// though the upload followed within the minute.
			const offline = signer === OURS;
			await expect(row).toContainText(offline ? 'Offline' : 'Online');
			await row.getByRole('link', { name: 'Open' }).click();
			await expect(admin.getByRole('heading', { level: 1 })).toContainText(TITLE);
			await expect(admin.getByTestId('review-network')).toHaveText(
				offline ? 'None: the device reported it was offline' : 'The device believed it was online'
			);
			await expect(admin.getByTestId('review-uv')).toHaveText('Yes');
			// Every mark with its kind: our signer's signature, seal and riding seam; theirs, a signature.
			const kinds = admin.getByTestId('review-marks').getByRole('listitem').locator('strong');
			await expect(kinds).toHaveCount(signer.marks.length);
			expect((await kinds.allTextContents()).sort()).toEqual([...signer.marks].sort());
			await admin.getByRole('button', { name: 'Verify again from scratch' }).click();
			await expect(admin.getByTestId('verify-result')).toContainText('✓ Verified again');
			await admin.getByLabel('Comment (1–500 characters)').fill(`Checked ${signer.name}`);
			await admin.getByRole('button', { name: 'Accept' }).click();
			await expect(admin.getByTestId('review-status')).toHaveText('Reviewed OK');
			await admin.getByRole('link', { name: 'All submissions' }).click();
			await expect(rows.filter({ hasText: signer.name })).toHaveAttribute(
				'data-status',
				'reviewed-ok'
			);
		}

		await admin.goto('/admin');
		await admin.getByRole('link', { name: TITLE }).click();
		const progress = admin.getByTestId('progress-row');
		await expect(progress).toHaveCount(2);
		for (const signer of [OURS, THEIRS]) {
			await expect(progress.filter({ hasText: signer.name })).toHaveAttribute(
				'data-state',
				'signed'
			);
		}
		await expect(admin.getByTestId('contract-status')).toHaveText('Completed');
	});

	await test.step('the admin downloads the signed final document: qpdf --check passes, pdftoppm shows the seal and a seam slice on every page', async () => {
		// Completed, so the server finalises in the background; the page offers the signed final
		// PDF once it exists (its contract pages are the rendered ones, the certificate follows).
		const final = admin.getByRole('link', { name: 'Download the signed final PDF' });
		await expect(async () => {
			await admin.reload();
			await expect(final).toBeVisible({ timeout: 2_000 });
		}).toPass({ timeout: 90_000 });
		await expect(admin.getByTestId('finalisation')).toContainText('Finalised');
		const [download] = await Promise.all([admin.waitForEvent('download'), final.click()]);
		const bytes = new Uint8Array(readFileSync((await download.path())!));
		// Kept beside the test's results, so a failure can be looked at with the same tools.
		const saved = test.info().outputPath('rendered.pdf');
		writeFileSync(saved, bytes);
		await test.info().attach('rendered.pdf', { path: saved, contentType: 'application/pdf' });
		const check = qpdfCheck(bytes);
		expect(check.status, check.output).toBe(0);

		const pages = await Promise.all([1, 2, 3].map((n) => renderPage(bytes, n)));
		const counts = pages.map((raster, i) => {
			const widthPt = (raster.width * 72) / DPI;
			const heightPt = (raster.height * 72) / DPI;
			return {
				page: i + 1,
				whole: redPixels(raster, DPI),
				// The field grown by 2 pt: pdftoppm rounds the page to whole pixels, which moves
				// a box computed from the raster's height by up to a pixel.
				seal: redPixels(raster, DPI, grow(layout.sealRect, 2)),
				// The seam's slice (a third of 42 mm ≈ 40 pt) at the right edge, and the band just
				// inside it, where nothing red belongs.
				edge: redPixels(raster, DPI, { x: widthPt - 45, y: 0, width: 45, height: heightPt }),
				inside: redPixels(raster, DPI, { x: widthPt - 120, y: 0, width: 70, height: heightPt })
			};
		});
		await test.info().attach('red pixels per page', {
			body: JSON.stringify(counts, null, 1),
			contentType: 'application/json'
		});
		// Page 1: the seal where its field was (a 42 mm seal is about 5 400 px at 50 dpi, its ink
		// a quarter of that), and the seam slice; nothing red anywhere else.
		expect(counts[0]!.seal).toBeGreaterThan(500);
		expect(counts[0]!.whole).toBe(counts[0]!.seal + counts[0]!.edge);
		for (const c of counts) {
			expect(c.edge, `seam slice on page ${c.page}`).toBeGreaterThan(150);
			expect(c.inside, `page ${c.page}`).toBe(0);
		}
		// Pages 2 and 3 carry only their slice.
		for (const c of counts.slice(1)) expect(c.whole, `page ${c.page}`).toBe(c.edge);
	});

	await test.step('tampering with an audit row in the SQLite file: /admin/audit Verify names the broken row', async () => {
		await admin.goto('/admin');
		await admin.getByRole('link', { name: 'Audit trail' }).click();
		const verdict = admin.getByTestId('audit-verdict');
		await admin.getByRole('button', { name: 'Verify' }).click();
		await expect(verdict).toHaveAttribute('data-ok', 'true');

		const me = (await (await admin.request.get('/api/me')).json()) as { profile: { id: string } };
		const seq = forgeSealAuthorisation(freshServer.dataDir, me.profile.id);
		await admin.reload();
		await admin.getByRole('button', { name: 'Verify' }).click();
		await expect(verdict).toHaveAttribute('data-ok', 'false');
		await expect(verdict).toHaveAttribute('data-seq', String(seq));
		await expect(verdict).toContainText(`✗ The chain is broken at entry #${seq}`);
		await expect(admin.locator(`[data-testid="audit-entry"][data-seq="${seq}"]`)).toContainText(
			'Chain broken here'
		);
	});

	await test.step('uploading an encrypted, a truncated and a non-PDF file each shows its clear message and creates nothing', async () => {
		await admin.goto('/admin');
		const contracts = admin.getByTestId('contracts').locator('tbody tr');
		// The list renders after the app starts: count only once the journey's contract is in it.
		await expect(contracts.filter({ hasText: TITLE })).toHaveCount(1);
		const before = await contracts.count();
		await admin.getByRole('link', { name: 'New contract' }).click();
		await admin.getByLabel('Title').fill('Refused 拒收');
		await admin.getByTestId('party').nth(0).getByLabel('Party name').fill(ORG);
		const refusals: [string, Uint8Array, RegExp][] = [
			['locked.pdf', qpdfEncrypted(pdf), /encrypted or password-protected/],
			['cut.pdf', truncated(pdf, 0.5), /cannot be read: the file is damaged/],
			[
				'notes.pdf',
				new TextEncoder().encode('Meeting notes, not a PDF.\n'.repeat(20)),
				/This file is not a PDF/
			]
		];
		const error = admin.getByTestId('upload-error');
		for (const [name, bytes, message] of refusals) {
			await admin.getByLabel('PDF document').setInputFiles({
				name,
				mimeType: 'application/pdf',
				buffer: Buffer.from(bytes)
			});
			await admin.getByRole('button', { name: 'Upload and place fields' }).click();
			await expect(error).toHaveText(message);
			await expect(admin).toHaveURL(/\/admin\/contracts\/new$/);
		}
		await admin.goto('/admin');
		await expect(contracts.filter({ hasText: TITLE })).toHaveCount(1);
		await expect(contracts).toHaveCount(before);
	});

	await ours.context.close();
	await theirs.context.close();
	await adminContext.close();
});
