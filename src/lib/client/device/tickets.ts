import type { TicketPool } from '$lib/domain/api-types';
import { prunableTickets, ticketSupply, type TicketSupply } from '$lib/domain/offline-signing';
import { api, ApiError } from '../api';
import { deviceDb, type DeviceDb } from './db';
import type { RequestOf, TicketsBody } from '$lib/domain/api-requests';

/** The passkey that lives on this device: tickets are drawn for it, confirmations ask for it. */
export interface DeviceCredential {
	credentialId: string;
	userId: string;
}

/**
 * Records which passkey this device holds, at enrolment and at every passkey login. The
 * confirmation names this credential in the manifest before the ceremony, so the ceremony must
 * be asked of exactly it (allowCredentials); a login with another user's passkey replaces it.
 */
export async function rememberDeviceCredential(
	credential: DeviceCredential,
	db: DeviceDb = deviceDb()
): Promise<void> {
	await db.meta.put({ key: 'deviceCredential', value: { ...credential } });
}

/**
 * Forgets the recorded device passkey when it is another user's (someone else signed in here
 * with a passkey before): it could never confirm for this user.
 */
export async function forgetOtherUsersCredential(
	userId: string,
	db: DeviceDb = deviceDb()
): Promise<void> {
	const held = await deviceCredential(db);
	if (held && held.userId !== userId) await db.meta.delete('deviceCredential');
}

/** The recorded device passkey, or null when this device never enrolled or logged in with one. */
export async function deviceCredential(
	db: DeviceDb = deviceDb()
): Promise<DeviceCredential | null> {
	const row = await db.meta.get('deviceCredential');
	const value = row?.value as Partial<DeviceCredential> | undefined;
	return value?.credentialId && value.userId
		? { credentialId: value.credentialId, userId: value.userId }
		: null;
}

/**
 * Tops up this device's ticket pool while online, so it can confirm offline later: asks the server
 * for the full pool of the device credential and stores every ticket not held yet. Tickets already
 * held keep their spentBy, so a spent ticket is never offered again even though the server still
 * lists it until its row syncs. Expired tickets and those of synced rows are dropped (D4). Resolves
 * to the new supply; throws ApiError (NETWORK offline, PASSKEY_UNKNOWN for a revoked passkey).
 */
export async function topUpTickets(
	fetcher: typeof fetch = fetch,
	db: DeviceDb = deviceDb()
): Promise<TicketSupply> {
	const credential = await deviceCredential(db);
	if (!credential) throw new ApiError('PASSKEY_UNKNOWN', 0, 'No passkey recorded on this device');
	const pool = await api<TicketPool>(fetcher, '/api/tickets', {
		method: 'POST',
		json: { credentialId: credential.credentialId } satisfies RequestOf<typeof TicketsBody>
	});
	const now = new Date();
	return db.transaction('rw', db.tickets, db.outbox, async () => {
		const held = new Set((await db.tickets.toCollection().primaryKeys()) as string[]);
		await db.tickets.bulkAdd(
			pool.tickets
				.filter((t) => !held.has(t.id))
				.map((t) => ({ ...t, credentialId: credential.credentialId, spentBy: null }))
		);
		const all = await db.tickets.toArray();
		const spentBy = all.flatMap((t) => (t.spentBy === null ? [] : [t.spentBy]));
		const rows = await db.outbox.bulkGet(spentBy);
		const synced = new Set(rows.flatMap((r) => (r?.state === 'synced' && r.id ? [r.id] : [])));
		await db.tickets.bulkDelete(prunableTickets(all, synced, now));
		return ticketSupply(await db.tickets.toArray(), credential.credentialId, now);
	});
}

/**
 * Tops up quietly when a chance arises (app start, login, coming online, after a confirmation):
 * offline or refused, the device simply keeps the tickets it holds and the UI shows their count.
 */
export async function topUpIfOnline(fetcher: typeof fetch = fetch): Promise<void> {
	if (typeof navigator !== 'undefined' && !navigator.onLine) return;
	await topUpTickets(fetcher).catch(() => undefined);
}
