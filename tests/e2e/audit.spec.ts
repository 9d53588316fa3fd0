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

/** Deletes the newest `count` audit rows as someone with the file could: trigger dropped, rows gone, trigger back. */
function cutNewestRows(dataDir: string, count: number): number {
	const raw = new SQLite(join(dataDir, 'sealpass.db'));
	try {
		raw.pragma('busy_timeout = 5000');
		const { sql } = raw
			.prepare(`select sql from sqlite_master where type = 'trigger' and name = ?`)
			.get('audit_log_no_delete') as { sql: string };
		const { last } = raw.prepare('select max(seq) as last from audit_log').get() as {
			last: number;
		};
		raw.exec('drop trigger audit_log_no_delete');
		raw.prepare('delete from audit_log where seq > ?').run(last - count);
		raw.exec(sql);
		return last - count + 1;
	} finally {
		raw.close();
	}
}

for (const [locale, texts] of [
	['en-US', { heading: 'Signed head of the chain', cut: 'the newest entries were removed' }],
	['zh-CN', { heading: '链头签名', cut: '最新的记录被删除' }]
] as const) {
	test(`the page shows the signed head; deleting the newest rows from the file is reported as a cut (${locale})`, async ({
		freshServer,
		browser
	}) => {
		const context = await browser.newContext({ baseURL: freshServer.url, locale: 'en-US' });
		const page = await context.newPage();
		await enrolAdmin(page, freshServer.setupLink!);
		if (locale === 'zh-CN') {
			await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: '中文' });
		}
		await page.goto('/admin/audit');
		const head = page.getByTestId('audit-head');
		await expect(head.getByRole('heading', { name: texts.heading })).toBeVisible();
		await expect(page.getByTestId('audit-head-seq')).toHaveText('#2');
		const newest = (await page.getByTestId('audit-entry').first().getAttribute('data-seq'))!;
		expect(newest).toBe('2');
		await expect(page.getByTestId('audit-head-mac')).toHaveText(/^[0-9a-f]{64}$/);

		// The export carries the same head.
		const exported = await (await page.request.get('/api/admin/audit/export')).json();
		expect(exported.head.seq).toBe(2);
		expect(exported.head.mac).toBe(await page.getByTestId('audit-head-mac').textContent());

		const firstMissing = cutNewestRows(freshServer.dataDir, 1);
		await page.reload();
		await page.getByRole('button', { name: locale === 'en-US' ? 'Verify' : '验证' }).click();
		const verdict = page.getByTestId('audit-verdict');
		await expect(verdict).toHaveAttribute('data-ok', 'false');
		await expect(verdict).toHaveAttribute('data-seq', String(firstMissing));
		await expect(verdict).toContainText(texts.cut);
		await context.close();
	});
}
