import { deviceDb, type DeviceDb } from './db';

// Which organisation this device works in now (SPEC MO8). One person may belong to several;
// the device keeps every organisation's contracts and unsynced confirmations, and shows and
// signs those of the current one.

/** The organisation the device last learnt it is in, or null before it learnt any. */
export async function currentOrganisation(db: DeviceDb = deviceDb()): Promise<string | null> {
	const value = (await db.meta.get('currentOrg'))?.value;
	return typeof value === 'string' ? value : null;
}

/**
 * Records that the device now works in `orgId`. On a change, the unspent tickets are dropped:
 * they were issued to the other membership, and a confirmation naming one would be ingested
 * there and refused (the server hands them back when the person switches back). The pull
 * cursor goes too: it counted the other membership's changes. Spent tickets and the outbox stay,
 * so every unsynced confirmation still syncs where it was made (MO6). Runs inside the caller's
 * transaction when there is one, so an inbox refresh and its organisation commit together.
 */
export async function enterOrganisation(orgId: string, db: DeviceDb = deviceDb()): Promise<void> {
	await db.transaction('rw', [db.meta, db.tickets], async () => {
		const before = await currentOrganisation(db);
		if (before === orgId) return;
		if (before !== null) {
			await db.tickets.filter((t) => t.spentBy === null).delete();
			await db.meta.delete('pullCursor');
		}
		await db.meta.put({ key: 'currentOrg', value: orgId });
	});
}
