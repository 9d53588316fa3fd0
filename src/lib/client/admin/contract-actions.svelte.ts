import { invalidateAll } from '$app/navigation';
import { m } from '$lib/paraglide/messages';
import { pdfUploadMessage } from './contract-display';
import {
	changeDeadline,
	replaceDocument,
	resendContract,
	revokeContract,
	sendContract
} from './contracts';
import { formatDeadline, sentSummary } from './contract-display';

/**
 * The admin's actions on one contract (send, resend, revoke, replace the document): one at a time, each
 * ending in a sentence for the page and a reload of the contract so its status and progress show
 * what the server now holds.
 */
export class ContractActions {
	busy = $state(false);
	message = $state<string | null>(null);
	error = $state<string | null>(null);
	/** Upload progress of a replacement document (0..1), null when none is on its way. */
	progress = $state<number | null>(null);

	async #run(action: () => Promise<string>): Promise<boolean> {
		this.busy = true;
		this.error = null;
		this.message = null;
		try {
			this.message = await action();
			await invalidateAll();
			return true;
		} catch (caught) {
			this.error = pdfUploadMessage(caught);
			return false;
		} finally {
			this.busy = false;
		}
	}

	send(id: string) {
		return this.#run(async () => {
			return sentSummary(await sendContract(id));
		});
	}

	/** Sets or extends the deadline (SPEC DL5). */
	deadline(id: string, day: string | null) {
		return this.#run(async () => {
			const r = await changeDeadline(id, day);
			return r.deadline
				? m.deadline_changed({ day: formatDeadline(r.deadline) })
				: m.deadline_removed();
		});
	}

	/** Resends a returned contract (SPEC LC5); its signers are told by a background job. */
	resend(id: string) {
		return this.#run(async () => {
			const r = await resendContract(id);
			return m.life_resent_done({ revision: r.revision });
		});
	}

	/** `done` runs once the server has revoked, before the reload (the form closes then). */
	revoke(id: string, reason: string, done: () => void) {
		return this.#run(async () => {
			await revokeContract(id, reason);
			done();
			return m.contract_revoked_done();
		});
	}

	/** `done` runs once the server has the new revision, before the reload. */
	replace(id: string, file: File, done: () => void) {
		this.progress = 0;
		return this.#run(async () => {
			try {
				const r = await replaceDocument(id, file, (f) => (this.progress = f));
				done();
				return m.contract_replaced({ revision: r.revision, dropped: r.dropped.length });
			} finally {
				this.progress = null;
			}
		});
	}
}
