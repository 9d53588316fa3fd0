import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { residentIdCheckChar } from '../../src/lib/domain/validators';
import {
	acceptInvitation,
	adminContext,
	downloadContract,
	draftContract,
	inviteByApi,
	openOfflineTab,
	outboxMessages,
	sendForTwoSignatures
} from './support/flows';
import { deviceOutbox } from './support/device';
import { markAndConfirm } from './support/mark-confirm';
import type { Envelope } from '../../src/lib/domain/envelope';

// A sequential contract (SPEC R9, LC8) as its two signers live it, each on their own device with
// a passkey: at send only the first hears of it; the second's device says, offline too, whom it
// waits for and offers no way to sign; once the first has signed and synced, the second is told
// it is their turn, signs, and the contract completes.

test.use({ locale: 'en-US', actionTimeout: 60_000 });

/** The states of the device's outbox rows (the contract is the only one either device signs). */
async function outboxStates(page: Page): Promise<string[]> {
	return (await deviceOutbox(page)).map((r) => r.state);
}

test('sequential: only the first signer is told at send; the second waits (offline too) and cannot sign; after the first signs, the second is told it is their turn, signs, and the contract completes', async ({
	freshServer,
	browser
}) => {
	test.setTimeout(480_000);
	const url = freshServer.url;
	const { context: contextA, page: pageA } = await adminContext(browser, freshServer);

	// 李四 has an account already (invited earlier), so sending names them without an invitation.
	const invitation = await inviteByApi(pageA, url, { name: '李四', contact: 'lisi@example.cn' });
	const contextB = await browser.newContext({ baseURL: url, locale: 'en-US' });
	const pageB = await contextB.newPage();
	const idBody = '11010519491231002';
	await acceptInvitation(pageB, invitation.body, {
		name: '李四',
		residentId: idBody + residentIdCheckChar(idBody)
	});
	const lisi = (await (await pageB.request.get('/api/me')).json()) as { profile: { id: string } };

	// The contract: the admin signs first for 甲方, 李四 second for 乙方.
	const title = 'Sequential agreement 顺序签署协议';
	const id = await draftContract(pageA, url, title, {
		fileName: 'seq.pdf',
		signingOrder: 'sequential',
		adminContact: 'boss@example.cn',
		lisiUserId: lisi.profile.id
	});
	expect(await sendForTwoSignatures(pageA, url, id)).toMatchObject({
		invited: 0,
		notified: 1,
		notifyFailed: 0
	});

	// At send only the first signer hears of it.
	const atSend = (await outboxMessages(pageA)).filter((m) => m.subject.includes(title));
	expect(atSend.map((m) => m.recipient)).toEqual(['boss@example.cn']);
	expect(atSend[0]!.subject).toContain('Contract to sign');

	// 李四's phone downloads it, then goes offline: the details say it is the admin's turn.
	await downloadContract(pageB, title);
	const offlineB = await openOfflineTab(contextB, '/inbox');
	const card = offlineB.getByTestId('envelope-card').filter({ hasText: title });
	await card.getByRole('link', { name: 'Details' }).click();
	await expect(offlineB).toHaveURL(new RegExp(`/inbox/${id}/details$`));
	await expect(offlineB.getByTestId('details-order')).toHaveAttribute('data-order', 'sequential');
	await expect(offlineB.getByTestId('details-turn')).toHaveText('Admin');
	await expect(offlineB.getByTestId('details-progress')).toHaveText('0 of 2 signed');
	await expect(offlineB.getByTestId('details-signer')).toHaveCount(2);
	await expect(offlineB.getByTestId('details-signer').nth(1)).toContainText('李四');
	await expect(offlineB.getByTestId('details-signer').nth(1)).toHaveAttribute('data-due', 'false');
	await expect(offlineB.getByTestId('details-field')).toHaveText(['Signature · page 3']);
	// Not their turn: the way in is to view it, not to sign.
	await expect(offlineB.getByRole('link', { name: 'View and sign' })).toHaveCount(0);
	await offlineB.getByRole('link', { name: 'View the contract' }).click();
	await expect(offlineB.getByTestId('view-waiting')).toContainText('waits for Admin');
	await expect(offlineB.getByTestId('pdf-page')).toHaveCount(3);
	await expect(offlineB.getByTestId('marking-tools')).toHaveCount(0);
	await expect(offlineB.getByRole('button', { name: 'Sign with what I placed' })).toHaveCount(0);
	await offlineB.close();
	await contextB.setOffline(false);

	// The admin signs (online) and the signature syncs.
	await downloadContract(pageA, title);
	await pageA.goto(`/inbox/${id}/details`);
	await expect(pageA.getByTestId('details-turn')).toHaveText('Admin');
	await pageA.getByRole('link', { name: 'View and sign' }).click();
	await markAndConfirm(pageA, { stamp: false, seam: false, signatureField: 'field-a' });
	await expect.poll(() => outboxStates(pageA), { timeout: 120_000 }).toEqual(['synced']);

	// Now, and only now, 李四 is told it is their turn.
	await expect
		.poll(
			async () =>
				(await outboxMessages(pageA))
					.filter((m) => m.recipient === 'lisi@example.cn' && m.subject.includes(title))
					.map((m) => m.subject),
			{ timeout: 60_000 }
		)
		.toEqual([expect.stringContaining('Your turn to sign')]);

	// 李四's phone learns of the signature at its next sync and offers the tools; they sign.
	await expect(async () => {
		await pageB.goto(`/inbox/${id}`);
		await expect(pageB.getByTestId('marking-tools')).toBeVisible({ timeout: 20_000 });
	}).toPass({ timeout: 120_000 });
	await markAndConfirm(pageB, { stamp: false, seam: false, signatureField: 'field-b' });
	await expect.poll(() => outboxStates(pageB), { timeout: 120_000 }).toEqual(['synced']);

	const got = (await (await pageA.request.get(`/api/envelopes/${id}`)).json()) as {
		envelope: Envelope;
		accepted: { signerId: string }[];
	};
	expect(got.accepted.map((m) => m.signerId)).toEqual(['signer-1', 'signer-2']);
	expect(got.envelope.status).toBe('completed');
	await pageB.goto(`/inbox/${id}/details`);
	await expect(pageB.getByTestId('details-progress')).toHaveText('2 of 2 signed');
	await contextA.close();
	await contextB.close();
});
