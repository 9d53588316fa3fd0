import { invalidateAll } from '$app/navigation';
import { m } from '$lib/paraglide/messages';
import { savePhotoSeal, saveSeal, type PhotoSealMeta } from './admin-seals';
import { errorMessage } from '../error-message';
import type { SealEditor } from './seal-editor.svelte';

/**
 * The admin's actions on the seal page (save a generated or photo seal, authorise, disable) and
 * the one sentence at the top of the page that says how the last one went. Each ends in a reload
 * of the list, so it shows what the server now holds.
 */
export class SealActions {
	error = $state<string | null>(null);
	notice = $state<string | null>(null);

	/** Forgets the last action's sentence, so an old success never stands beside a new failure. */
	clear() {
		this.error = null;
		this.notice = null;
	}

	/** Runs a list action (grant, revoke, disable, enable); the list reloads even when it failed. */
	async act(work: () => Promise<unknown>) {
		this.clear();
		try {
			await work();
		} catch (caught) {
			this.error = errorMessage(caught);
		}
		await invalidateAll();
	}

	/**
	 * Saves the editor's seal. False at once, sending nothing, when the form's own check stops it,
	 * so the form can put focus on the first field to fix.
	 */
	save(editor: SealEditor): boolean {
		this.clear();
		if (!editor.attempt()) return false;
		void this.#send(editor);
		return true;
	}

	async #send(editor: SealEditor) {
		editor.busy = true;
		const name = editor.label.trim();
		const wasEditing = editor.editing;
		try {
			await saveSeal(editor.editing, name, editor.normalised);
			this.notice = wasEditing ? m.aseal_updated({ name }) : m.aseal_created({ name });
			editor.reset();
			await invalidateAll();
		} catch (caught) {
			// The form keeps what was typed; the server's problems mark their fields.
			editor.refused(caught);
			this.error = errorMessage(caught);
		} finally {
			editor.busy = false;
		}
	}

	/** Uploads a seal made from a photo; errors stay in the photo form, which keeps its crop. */
	async savePhoto(png: Blob, meta: PhotoSealMeta) {
		this.clear();
		await savePhotoSeal(png, meta);
		this.notice = m.aseal_created({ name: meta.name });
		await invalidateAll();
	}
}
