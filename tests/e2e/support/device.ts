import type { Locator, Page } from '@playwright/test';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './fixtures';

// Shared by the specs that confirm on the device and follow the result (confirm.spec.ts,
// signer-proofs.spec.ts, and the sync specs): the device store read back with plain IndexedDB, a passkey carried
// into another tab, and a pen stroke on the signature pad.

/** The device store as the tests read it (the fields they use). */
export interface DeviceState {
	outbox: {
		id: number;
		state: string;
		envelopeId: string;
		manifestHash: string;
		previewHash: string | null;
		idempotencyKey: string;
		attempts: number;
		images: string[];
		manifest: {
			credentialId: string;
			ticket: { id: string; nonce: string };
			decision: { kind: string; reason?: string };
			fills: { fieldId: string; image?: string }[];
			ridingSeams: { pages: unknown; edge: string }[];
		};
		assertion: unknown;
		error: { code: string; message: string } | null;
		result: { submissionId?: string } | null;
	}[];
	tickets: { id: string; spentBy: number | null }[];
	envelope: { myState: string } | undefined;
	blobs: string[];
}

/**
 * Every row of the named stores, read with plain IndexedDB, as another tab (or a crash survivor)
 * would: never through the app's Dexie.
 */
function readStores(page: Page, stores: string[]): Promise<Record<string, unknown[]>> {
	return page.evaluate(async (stores) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('sealpass');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const all = (store: string) =>
			new Promise<unknown[]>((resolve, reject) => {
				const request = db.transaction(store).objectStore(store).getAll();
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
		const rows: Record<string, unknown[]> = {};
		// Blob values (the bytes of PDFs and images) stay in the page: the tests check hashes.
		const withoutBytes = (row: unknown) =>
			row && typeof row === 'object'
				? Object.fromEntries(Object.entries(row).filter(([, value]) => !(value instanceof Blob)))
				: row;
		for (const store of stores) rows[store] = (await all(store)).map(withoutBytes);
		db.close();
		return rows;
	}, stores);
}

/** The device store as the confirmation specs check it: outbox, tickets, one envelope, blobs. */
export async function deviceState(page: Page, envelopeId: string): Promise<DeviceState> {
	const rows = await readStores(page, ['outbox', 'tickets', 'envelopes', 'blobs']);
	const envelopes = rows.envelopes as { id: string; myState: string }[];
	return {
		outbox: rows.outbox as DeviceState['outbox'],
		tickets: rows.tickets as DeviceState['tickets'],
		envelope: envelopes.find((e) => e.id === envelopeId),
		blobs: (rows.blobs as { sha256: string }[]).map((b) => b.sha256)
	};
}

/** A finished contract's file the device keeps (the finals store), without its bytes. */
export interface DeviceFinal {
	envelopeId: string;
	kind: 'pdf' | 'evidence';
	sha256: string;
	size: number;
}

/** The finished contracts' files the device keeps (final PDF, evidence archive). */
export async function deviceFinals(page: Page): Promise<DeviceFinal[]> {
	return (await readStores(page, ['finals'])).finals as DeviceFinal[];
}

/** The outbox rows alone (the sync specs follow only them, often in a poll). */
export async function deviceOutbox(page: Page): Promise<DeviceState['outbox']> {
	return (await readStores(page, ['outbox'])).outbox as DeviceState['outbox'];
}

/**
 * A tab's virtual authenticator holding the same passkey as another tab's: CDP authenticators
 * belong to one tab, and the offline tab must answer with the passkey enrolled in the first.
 */
export async function carryPasskey(
	from: VirtualAuthenticator,
	to: Page
): Promise<VirtualAuthenticator> {
	const target = await addVirtualAuthenticator(to);
	const { credentials } = await from.cdp.send('WebAuthn.getCredentials', {
		authenticatorId: from.authenticatorId
	});
	for (const credential of credentials) {
		await target.cdp.send('WebAuthn.addCredential', {
			authenticatorId: target.authenticatorId,
			credential
		});
	}
	return target;
}

/**
 * Draws a wavy stroke with the mouse across a canvas, from fraction `from` to `to` of its
 * width: real pointer events, so the pad records ink as it does for a pen.
 */
export async function mouseStroke(page: Page, canvas: Locator, from: number, to: number, y = 0.5) {
	const box = (await canvas.boundingBox())!;
	const steps = 10;
	await page.mouse.move(box.x + box.width * from, box.y + box.height * y);
	await page.mouse.down();
	for (let i = 1; i <= steps; i++) {
		const t = from + ((to - from) * i) / steps;
		const wave = Math.sin(i / 2) * box.height * 0.2;
		await page.mouse.move(box.x + box.width * t, box.y + box.height * y + wave);
	}
	await page.mouse.up();
}
