import type { APIRequestContext } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { adminContext, downloadDemo } from './support/flows';
import { attachWorld } from './support/server-world';
import { insertContract } from '../support/test-server';
import { worldEnvelope } from '../support/signer-world';
import type { SessionResponse } from '../../src/lib/domain/api-types';

// One person in two organisations (SPEC MO2–MO8) as they live it: the demo organisation's
// administrator (organisation A) has its contract on their phone; organisation B's
// administrator invites their e-mail; they redeem the code and join with the passkey they
// already hold instead of creating a second account; the header's switcher then moves them
// between the two, the inbox lists only the current organisation's contracts, and A's
// downloaded contract is still on the device with its organisation named.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

async function session(request: APIRequestContext): Promise<SessionResponse> {
	return (await (await request.get('/api/session')).json()) as SessionResponse;
}

test('MO2–MO8: a person invited to a second organisation joins with their passkey, switches, and each organisation shows its own contracts', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(300_000);
	const url = freshServer.url;
	const world = await attachWorld(freshServer, { count: 1, contracts: 1 });
	try {
		const { page } = await adminContext(browser, freshServer);
		const demo = await downloadDemo(page);
		const before = await session(page.request);
		expect(before.memberships).toHaveLength(1);
		await expect(page.getByTestId('org-switch')).toHaveCount(0);

		// Organisation B ('Load') invites the same person by e-mail.
		const contact = 'admin-a@example.cn';
		const invited = await world.call(url, 'POST', '/api/admin/invites', world.adminCookie, {
			name: 'Person A',
			contact
		});
		expect(invited.status, JSON.stringify(invited.body)).toBe(201);
		const outbox = await world.call(url, 'GET', '/api/admin/outbox', world.adminCookie);
		const message = (
			outbox.body as { messages: { recipient: string; body: string }[] }
		).messages.find((m) => m.recipient === contact)!.body;
		const link = /https?:\/\/\S+\/invite\/[\w-]{22}/.exec(message)![0];
		const code = /verification code (\d{6})/.exec(message)![1]!;

		await page.goto(link);
		await page.getByLabel('Verification code').fill(code);
		await page.getByRole('button', { name: 'Verify' }).click();
		await page.getByRole('button', { name: 'Join with my existing passkey' }).click();
		await expect(page).toHaveURL(/\/inbox$/);

		const joined = await session(page.request);
		expect(joined.memberships?.map((m) => [m.orgNameEn, m.current]).sort()).toEqual([
			['Demo Technology Co., Ltd.', false],
			['Load', true]
		]);
		const rowA = joined.memberships!.find((m) => !m.current)!;
		expect(rowA.userId).toBe(before.user!.id);
		// A contract of organisation B for the joined membership.
		await insertContract(world.open.db, {
			id: 'b-contract',
			org: 'org-world',
			title: 'Contract of organisation B',
			at: new Date().toISOString(),
			envelope: worldEnvelope('b-contract'),
			signers: { alice: joined.user!.id }
		});

		await page.goto('/inbox');
		const switcher = page.getByRole('combobox', { name: 'Organisation' });
		await expect(switcher).toHaveValue(joined.user!.id);
		await expect(switcher.locator('option:checked')).toHaveText('Load');
		const cards = page.getByRole('tabpanel', { name: 'To sign' }).getByTestId('envelope-card');
		await expect(cards).toHaveCount(1);
		await expect(cards).toContainText('Contract of organisation B');
		await expect(cards).toContainText('Load');

		// Back to organisation A with the keyboard: its contract is still on the device.
		await switcher.focus();
		await switcher.selectOption(rowA.userId);
		await expect(page).toHaveURL(/\/admin$/);
		await page.goto('/inbox');
		await expect(cards).toHaveCount(1);
		await expect(cards).toContainText(demo.title);
		await expect(cards).toContainText('Demo Technology Co., Ltd.');
		await expect(cards.getByTestId('offline-badge')).toHaveText('Available offline');
		expect((await session(page.request)).user!.id).toBe(rowA.userId);
		await page.goto(`/inbox/${encodeURIComponent(demo.id)}`);
		await expect(page.getByTestId('contract-org')).toHaveText('Demo Technology Co., Ltd.');
	} finally {
		await world.close();
	}
});
