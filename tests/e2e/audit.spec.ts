import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { test, expect } from './support/fixtures';
import { enrolAdmin } from './support/flows';

test.use({ locale: 'en-US' });

/**
 * Changes one audit row the way someone with the database file could: drop the trigger that
 * refuses updates, edit, put the trigger back. Returns the seq of the edited row.
 */
function tamperWithPasskeyRow(dataDir: string): number {
	const raw = new SQLite(join(dataDir, 'sealpass.db'));
	try {
		raw.pragma('busy_timeout = 5000');
		const { sql } = raw
			.prepare(`select sql from sqlite_master where type = 'trigger' and name = ?`)
			.get('audit_log_no_update') as { sql: string };
		const { seq } = raw
			.prepare(`select seq from audit_log where kind = 'passkey.enrolled'`)
			.get() as { seq: number };
		raw.exec('drop trigger audit_log_no_update');
		raw
			.prepare(`update audit_log set data = json_set(data, '$.name', 'Forged phone') where seq = ?`)
			.run(seq);
		raw.exec(sql);
		return seq;
	} finally {
		raw.close();
	}
}

test('the audit trail lists enrolment and sign-in, verifies ✓, and names a row edited in the SQLite file', async ({
	freshServer,
	browser
}) => {
	const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
	const page = await context.newPage();
	// The button path of sign-in, not the autofill one (see passkeys.spec.ts).
	await page.addInitScript(() => {
		PublicKeyCredential.isConditionalMediationAvailable = async () => false;
	});
	await enrolAdmin(page, freshServer.setupLink!);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.goto('/login');
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await expect(page).toHaveURL(/\/admin$/);

	await page.getByRole('link', { name: 'Audit trail' }).click();
	await expect(page).toHaveURL(/\/admin\/audit$/);
	const entries = page.getByTestId('audit-entry');
	// Newest first: the passkey sign-in, the enrolment, the setup link that opened the session.
	await expect(entries).toHaveCount(3);
	await expect(entries.nth(0)).toContainText('Signed in with passkey');
	await expect(entries.nth(1)).toContainText('Passkey enrolled');
	await expect(entries.nth(2)).toContainText('Admin setup link used');
	await expect(entries.nth(1)).toContainText('Administrator');

	await page.getByRole('button', { name: 'Verify' }).click();
	const verdict = page.getByTestId('audit-verdict');
	await expect(verdict).toHaveAttribute('data-ok', 'true');
	await expect(verdict).toHaveText('✓ The chain is intact: 3 entries checked.');

	// Filtering by a subject keeps the address, so the view can be linked to.
	const adminId = (await entries.nth(0).getByRole('button').getAttribute('data-subject'))!;
	await entries
		.nth(0)
		.getByRole('button', { name: `Show only entries about ${adminId}` })
		.click();
	await expect(page).toHaveURL(new RegExp(`subject=${adminId}`));
	await expect(page.getByRole('heading', { name: `Entries about ${adminId}` })).toBeVisible();
	await expect(entries).toHaveCount(3);
	await page.getByRole('button', { name: 'Show all' }).click();
	await expect(page).toHaveURL(/\/admin\/audit$/);
	await expect(page.getByRole('heading', { name: /Entries about/ })).toHaveCount(0);

	const seq = tamperWithPasskeyRow(freshServer.dataDir);
	await page.reload();
	await page.getByRole('button', { name: 'Verify' }).click();
	await expect(verdict).toHaveAttribute('data-ok', 'false');
	await expect(verdict).toHaveAttribute('data-seq', String(seq));
	await expect(verdict).toContainText(
		`✗ The chain is broken at entry #${seq}: its content no longer matches its hash`
	);
	const broken = page.locator(`[data-testid="audit-entry"][data-seq="${seq}"]`);
	await expect(broken).toContainText('Chain broken here');
	await expect(broken).toContainText('Forged phone');
	await context.close();
});
