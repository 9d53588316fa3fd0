import { test, expect } from './support/fixtures';

test.use({ locale: 'en-US' });

test.describe('phone', () => {
	test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

	test('at 360 px the navigation is a bottom tab bar of touch-sized links and nothing scrolls sideways', async ({
		page
	}) => {
		await page.goto('/');
		const nav = page.getByRole('navigation', { name: 'Main navigation' });
		const box = (await nav.boundingBox())!;
		expect(box.y + box.height).toBeGreaterThan(700);
		for (const name of ['Inbox', 'Seals', 'Admin']) {
			const linkBox = (await nav.getByRole('link', { name }).boundingBox())!;
			expect(linkBox.height).toBeGreaterThanOrEqual(44);
		}
		await nav.getByRole('link', { name: 'Seals' }).tap();
		await expect(page).toHaveURL(/\/seals$/);
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth
		);
		expect(overflow).toBeLessThanOrEqual(0);
	});
});

test('the shell is usable by keyboard: skip link, navigation and tabs', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await page.keyboard.press('Tab');
	await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/#main$/);
	await page.goto('/inbox');
	await page.getByRole('tab', { name: 'To sign' }).focus();
	await page.keyboard.press('ArrowRight');
	await expect(page.getByRole('tab', { name: 'Not yet synced' })).toBeFocused();
	await expect(page.getByRole('tab', { name: 'Not yet synced' })).toHaveAttribute(
		'aria-selected',
		'true'
	);
	await expect(page.getByRole('tabpanel')).toContainText('Nothing waiting to sync');
	const current = page.getByRole('navigation').getByRole('link', { name: 'Inbox' });
	await expect(current).toHaveAttribute('aria-current', 'page');
});

test('the virtual authenticator fixture completes a real passkey registration', async ({
	page,
	authenticator
}) => {
	await page.goto('/');
	const result = await page.evaluate(async () => {
		const credential = (await navigator.credentials.create({
			publicKey: {
				challenge: crypto.getRandomValues(new Uint8Array(32)),
				rp: { name: 'SealPass', id: location.hostname },
				user: { id: new Uint8Array([1, 2, 3]), name: 'fixture', displayName: 'Fixture' },
				pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
				authenticatorSelection: { residentKey: 'required', userVerification: 'required' }
			}
		})) as PublicKeyCredential;
		const data = new Uint8Array(
			(credential.response as AuthenticatorAttestationResponse).getAuthenticatorData()
		);
		return { type: credential.type, flags: data[32]! };
	});
	expect(result.type).toBe('public-key');
	// Bit 2 (UV): the authenticator verified the user, as a phone's biometric would.
	expect(result.flags & 0x04).toBe(0x04);
	expect(await authenticator.credentials()).toHaveLength(1);
});

test.describe('iPhone Safari', () => {
	test.use({
		userAgent:
			'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
		viewport: { width: 390, height: 844 }
	});

	test('shows the "add to home screen" hint until dismissed, and remembers the dismissal', async ({
		page
	}) => {
		await page.goto('/');
		const hint = page.getByTestId('ios-hint');
		await expect(hint).toContainText('Add to Home Screen');
		await hint.getByRole('button', { name: 'Dismiss' }).click();
		await expect(hint).toBeHidden();
		await page.reload();
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		await expect(hint).toBeHidden();
	});
});

test('a desktop browser gets no iOS hint', async ({ page }) => {
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await expect(page.getByTestId('ios-hint')).toHaveCount(0);
});
