import { liveQuery } from 'dexie';
import { ticketSupply, type TicketSupply } from '$lib/domain/offline-signing';
import { deviceDb, type DeviceTicket } from './db';
import { deviceClock } from './confirm';
import { deviceCredential, topUpIfOnline } from './tickets';

/**
 * The offline-signature supply for the inbox and the contract view: follows the device's tickets
 * through liveQuery (a confirmation or a top-up shows at once), recomputes against the clock each
 * minute (tickets expire while the screen is open), and tops up when the page starts and when the
 * connection comes back.
 */
export class TicketSupplyState {
	supply = $state.raw<TicketSupply | null>(null);

	/** Subscribes; returns the cleanup for onMount / $effect. */
	start(): () => void {
		const db = deviceDb();
		let latest: { tickets: DeviceTicket[]; cred: string | null } = { tickets: [], cred: null };
		const update = () => (this.supply = ticketSupply(latest.tickets, latest.cred, deviceClock()));
		const sub = liveQuery(async () => ({
			tickets: await db.tickets.toArray(),
			cred: (await deviceCredential(db))?.credentialId ?? null
		})).subscribe({
			next: (value) => {
				latest = value;
				update();
			}
		});
		const timer = setInterval(update, 60_000);
		const online = () => void topUpIfOnline();
		window.addEventListener('online', online);
		void topUpIfOnline();
		return () => {
			sub.unsubscribe();
			clearInterval(timer);
			window.removeEventListener('online', online);
		};
	}
}
