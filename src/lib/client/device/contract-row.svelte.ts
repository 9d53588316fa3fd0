import { liveQuery } from 'dexie';
import { deviceDb, type DeviceEnvelope } from './db';

/**
 * One contract's device row, followed live, without opening its PDF: for pages that show facts
 * about a contract (its details) and must read the same offline. undefined while reading; null
 * when the device has no row for it.
 */
export class ContractRow {
	row = $state.raw<DeviceEnvelope | null | undefined>(undefined);

	constructor(private readonly id: string) {}

	/** Subscribes to the row; returns the cleanup for an effect. */
	start(): () => void {
		const sub = liveQuery(() => deviceDb().envelopes.get(this.id)).subscribe({
			next: (row) => (this.row = row ?? null),
			error: () => (this.row = null)
		});
		return () => sub.unsubscribe();
	}
}
