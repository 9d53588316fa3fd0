import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import { mouseStroke } from './device';

/**
 * Marks the demo contract through the marking tools as a signer does — draws a signature on the
 * pad, stamps the seal field, adds a riding seam over all pages — then 确认签署: the preview,
 * then the passkey. Returns the SHA-256 of the preview the signer confirmed.
 */
export async function markAndConfirm(
	offline: Page,
	{
		stamp = true,
		seam = true,
		pages = 3,
		signatureField = 'field-signature'
	}: { stamp?: boolean; seam?: boolean; pages?: number; signatureField?: string } = {}
): Promise<string> {
	const tools = offline.getByTestId('marking-tools');
	await expect(offline.getByTestId('pdf-page')).toHaveCount(pages);
	await drawSignature(offline);
	await expect(offline.locator(`[data-field="${signatureField}"]`)).toHaveAttribute(
		'data-filled',
		'true'
	);

	if (stamp) {
		await tools.getByRole('button', { name: 'Stamp all my seal fields' }).click();
		await expect(offline.locator('[data-field="field-seal"]')).toHaveAttribute(
			'data-filled',
			'true'
		);
	}

	if (seam) {
		// The riding-seam group starts folded when the contract asks for no seam.
		await tools.locator('summary', { hasText: 'Riding-seam seal' }).click();
		await tools.getByRole('button', { name: 'Add a riding-seam seal' }).click();
		const panel = tools.getByTestId('seam-panel');
		await expect(panel.getByRole('radio', { name: 'All pages' })).toBeChecked();
		for (let k = 0; k < 3; k++) {
			await expect(offline.getByTestId('pdf-page').nth(k).getByTestId('seam-slice')).toHaveCount(1);
		}
	}

	return confirmWithPasskey(offline);
}

/** Draws a two-stroke signature on the marking tools' pad, as with a finger, and closes it. */
export async function drawSignature(page: Page): Promise<void> {
	await page.getByTestId('marking-tools').getByRole('button', { name: 'Draw a signature' }).click();
	const pad = page.getByRole('dialog', { name: 'Draw your signature' });
	const canvas = pad.getByTestId('signature-canvas');
	await mouseStroke(page, canvas, 0.1, 0.55);
	await mouseStroke(page, canvas, 0.55, 0.9, 0.4);
	await pad.getByRole('button', { name: 'Done' }).click();
	await expect(pad).toBeHidden();
}

/**
 * 确认签署 with what is placed: the preview, then the passkey, then the dialog closed. Returns
 * the SHA-256 of the preview the signer confirmed.
 */
export async function confirmWithPasskey(page: Page): Promise<string> {
	await page.getByRole('button', { name: 'Sign with what I placed' }).click();
	const dialog = page.getByRole('dialog', { name: 'Preview and confirm' });
	const hash = dialog.getByTestId('preview-hash');
	await expect(hash).toHaveAttribute('data-sha256', /^[0-9a-f]{64}$/, { timeout: 90_000 });
	const previewHash = (await hash.getAttribute('data-sha256'))!;
	await dialog.getByRole('button', { name: 'Confirm signing' }).click();
	await expect(dialog.getByTestId('confirm-done')).toBeVisible({ timeout: 30_000 });
	await dialog.getByRole('button', { name: 'Close' }).click();
	await expect(dialog).toBeHidden();
	return previewHash;
}
