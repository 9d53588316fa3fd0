import { liveQuery } from 'dexie';
import type { InboxResponse } from '$lib/domain/api-types';
import { api, ApiError, asApiError } from '../api';
import { deviceDb, type DeviceEnvelope, type OutboxRow } from './db';
import { applyInbox, downloadEnvelope, removeDownload, type Progress } from './downloads';
import { ensureCjkFont } from './cjk-font';
import { needsCjkFont } from '$lib/domain/offline-signing';
import { inOrganisation } from '$lib/domain/inbox';
import { saveBlob } from '../save-file';
import {
	fetchMissingFinals,
	finalFileName,
	finalsToFetch,
	keepFinal,
	keptFinal,
	keptFinals,
	type FinalKind,
	type KeptFinals
} from './finals';

export type Persistence = 'granted' | 'denied' | 'unsupported';

/**
 * The inbox as the device holds it, as rune state. Rows come from Dexie through liveQuery, so
 * the list is the same online and offline and updates when a download or a refresh commits;
 * the network only ever writes into Dexie. The queries take no parameter, so the class
 * subscribes once in start() (the `$derived(liveQuery(...))` trap of NOTES-stack does not
 * apply); a parameterised query must read its parameter inside `$derived.by`.
 */
export class InboxState {
	/** Every contract on the device, of every organisation of the person (MO8). */
	rows = $state.raw<DeviceEnvelope[]>([]);
	/** The organisation the device works in now; null until it learnt one. */
	orgId = $state<string | null>(null);
	/** The rows of the current organisation: what the inbox lists. */
	current = $derived(this.rows.filter((r) => inOrganisation(r, this.orgId)));
	/** Whether the device holds contracts of more than one organisation (cards then name it). */
	manyOrganisations = $derived(
		this.rows.some((r) => (r.orgId ?? '') !== (this.rows[0]?.orgId ?? ''))
	);
	outbox = $state.raw<OutboxRow[]>([]);
	/** False until Dexie answered once, so the page does not flash "nothing here". */
	loaded = $state(false);
	/** 'signed-out' when the server refused; the device list is still shown. */
	account = $state<'unknown' | 'signed-in' | 'signed-out'>('unknown');
	lastSync = $state<string | null>(null);
	refreshError = $state<ApiError | null>(null);
	persistence = $state<Persistence | null>(null);
	progress = $state<Record<string, Progress>>({});
	errors = $state<Record<string, ApiError | null>>({});
	/** Which files of finished contracts are on the device; from Dexie, so it holds offline. */
	kept = $state.raw<KeptFinals>({});
	/** The finished contract's file being fetched, per envelope (in the background or asked for). */
	finalBusy = $state<Record<string, FinalKind>>({});
	finalErrors = $state<Record<string, ApiError | null>>({});
	/**
	 * Contracts whose final PDF failed this visit (corrupt, refused, no room): not tried again by
	 * the background run until the next visit. Plain fields, not rune state: the page's effect
	 * that starts the run must not re-run because the run wrote them.
	 */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately not reactive (above)
	#finalFailed = new Set<string>();
	#fetchingFinals = false;
	#finalsAgain = false;

	/**
	 * Subscribes to the device store; returns the unsubscribe for the page's $effect or
	 * onMount. Each liveQuery re-runs whenever a transaction touching its tables commits.
	 */
	start(): () => void {
		const db = deviceDb();
		const subs = [
			liveQuery(() => db.envelopes.orderBy('id').toArray()).subscribe({
				next: (rows) => {
					this.rows = rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
					this.loaded = true;
				},
				error: () => (this.loaded = true)
			}),
			liveQuery(() => db.outbox.toArray()).subscribe({
				next: (rows) => (this.outbox = rows.filter((r) => r.state !== 'synced'))
			}),
			liveQuery(() => db.finals.toCollection().primaryKeys()).subscribe({
				next: (keys) => (this.kept = keptFinals(keys))
			}),
			liveQuery(() => db.meta.bulkGet(['lastInboxSync', 'persistence', 'currentOrg'])).subscribe({
				next: ([sync, persisted, org]) => {
					this.orgId = typeof org?.value === 'string' ? org.value : null;
					this.lastSync = typeof sync?.value === 'string' ? sync.value : null;
					this.persistence = (persisted?.value as Persistence | undefined) ?? null;
				}
			})
		];
		return () => subs.forEach((s) => s.unsubscribe());
	}

	/**
	 * Pulls the server's inbox and merges it into the device (mergeInbox): metadata updates,
	 * downloads kept, revoked and revised copies marked. One transaction, so the list never
	 * shows half a refresh. Failures are kept for the page; the device list stays as it was.
	 */
	async refresh(): Promise<void> {
		try {
			const { items, orgId } = await api<InboxResponse>(fetch, '/api/inbox');
			await applyInbox(items, deviceDb(), orgId ?? null);
			this.account = 'signed-in';
			this.refreshError = null;
		} catch (error) {
			const apiError = asApiError(error);
			if (apiError.code === 'UNAUTHENTICATED') this.account = 'signed-out';
			this.refreshError = apiError;
		}
	}

	/** Downloads one envelope with progress; the outcome shows on its card. */
	async download(id: string): Promise<void> {
		this.errors[id] = null;
		this.progress[id] = { loaded: 0, total: null };
		try {
			const row = await downloadEnvelope(id, (p) => (this.progress[id] = p));
			// A date field of this user's draws text: the preview needs the server's font offline.
			if (row.definition && needsCjkFont(row.definition)) {
				await ensureCjkFont((p) => (this.progress[id] = p));
			}
		} catch (error) {
			this.errors[id] = asApiError(error);
		} finally {
			delete this.progress[id];
		}
	}

	/** Removes a download; a refusal (unsynced work on it) shows on its card. */
	async remove(id: string): Promise<void> {
		this.errors[id] = null;
		try {
			await removeDownload(id);
		} catch (error) {
			this.errors[id] = asApiError(error);
		}
	}

	/** Whether a finalised contract's PDF is not on the device yet (and not failed this visit). */
	get finalsWanted(): boolean {
		return finalsToFetch(this.rows, this.kept).some((id) => !this.#finalFailed.has(id));
	}

	/**
	 * Keeps the final PDF of every finalised contract on the device, one after another, in the
	 * background. One run at a time: a call during a run makes that run go over the list once
	 * more, so a contract finalised meanwhile is not left out. A failure shows on its card: a
	 * device short of space says so and the inbox keeps working with what it has.
	 */
	async fetchFinals(): Promise<void> {
		if (this.#fetchingFinals) {
			this.#finalsAgain = true;
			return;
		}
		this.#fetchingFinals = true;
		try {
			do {
				this.#finalsAgain = false;
				const { errors, stopped } = await fetchMissingFinals({
					skip: this.#finalFailed,
					onStart: (id) => {
						this.finalErrors[id] = null;
						this.finalBusy[id] = 'pdf';
					},
					onEnd: (id) => delete this.finalBusy[id]
				});
				for (const [id, error] of Object.entries(errors)) {
					this.#finalFailed.add(id);
					this.finalErrors[id] = error;
				}
				// Offline or signed out: nothing to show; the next run (back online) tries again.
				if (stopped) {
					if (stopped.error.code === 'STORAGE_FULL') {
						this.#finalFailed.add(stopped.id);
						this.finalErrors[stopped.id] = stopped.error;
					}
					return;
				}
			} while (this.#finalsAgain);
		} finally {
			this.#fetchingFinals = false;
		}
	}

	/**
	 * Saves a finished contract's file from the device copy, so it works offline; a file not kept
	 * yet is fetched, checked and kept first (the evidence archive is fetched only this way).
	 */
	async saveFinal(id: string, kind: FinalKind, title: string): Promise<void> {
		this.finalErrors[id] = null;
		try {
			let file = await keptFinal(id, kind);
			if (!file) {
				this.finalBusy[id] = kind;
				file = await keepFinal(id, kind);
			}
			saveBlob(file.data, finalFileName(title, kind));
		} catch (error) {
			this.finalErrors[id] = asApiError(error);
		} finally {
			if (this.finalBusy[id] === kind) delete this.finalBusy[id];
		}
	}

	/**
	 * Asks the browser to keep this origin's data under storage pressure. Must run from a user
	 * action: browsers grant (or even prompt) only then. The answer is kept so the page shows it
	 * on later visits without asking again.
	 */
	async requestPersistence(): Promise<void> {
		let result: Persistence = 'unsupported';
		if (navigator.storage?.persist) {
			result = (await navigator.storage.persist().catch(() => false)) ? 'granted' : 'denied';
		}
		this.persistence = result;
		await deviceDb().meta.put({ key: 'persistence', value: result });
	}
}
