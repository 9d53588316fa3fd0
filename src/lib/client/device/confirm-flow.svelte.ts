import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import type { Decision } from '$lib/domain/manifest';
import { emptyDraft, type Draft } from '$lib/domain/draft';
import { ApiError } from '../api';
import {
	announceOutbox,
	askPasskey,
	clearInFlight,
	commitConfirmation,
	compose,
	loadContext,
	markInFlight,
	NO_IMAGES,
	deviceClock,
	pagesOf,
	previewInputs,
	type Composed,
	type ConfirmContext
} from './confirm';
import { renderPreview, type PreviewPhase } from './preview';
import { topUpIfOnline } from './tickets';

export type FlowStep = 'idle' | 'preparing' | 'preview' | 'ceremony' | 'saving' | 'done';

/**
 * One confirmation (确认签署 or 退回) as rune state for the dialogs: prepare (compose the manifest,
 * render the preview in a worker), ask the passkey, commit in one transaction. Nothing the
 * signer did is thrown away on a failure: the draft, the manifest and, once the passkey has
 * answered, the assertion stay in memory; `retry()` resumes from where it failed, and a failed
 * save is retried WITHOUT a second ceremony: a captured signature is never thrown away.
 */
export class ConfirmFlow {
	step = $state<FlowStep>('idle');
	phase = $state<PreviewPhase | null>(null);
	error = $state.raw<ApiError | null>(null);
	/** The preview document (pdf.js) and its SHA-256, for a signature; null for a rejection. */
	preview = $state.raw<PDFDocumentProxy | null>(null);
	previewHash = $state<string | null>(null);
	/** Pages the signer's marks touch, for the preview to show first. */
	markedPages = $state.raw<number[]>([]);
	decision = $state.raw<Decision | null>(null);
	outboxId = $state<number | null>(null);

	#draft: Draft = emptyDraft();
	#images: ReadonlyMap<string, Uint8Array> = NO_IMAGES;
	#ctx: ConfirmContext | null = null;
	#composed: Composed | null = null;
	#assertion: AuthenticationResponseJSON | null = null;
	#abort: AbortController | null = null;

	constructor(
		private readonly envelopeId: string,
		private readonly clock: () => Date = deviceClock
	) {}

	/** Whether the passkey already answered: a retry then only saves again. */
	get hasAssertion(): boolean {
		return this.#assertion !== null;
	}

	/**
	 * Starts a signature: composes the manifest and renders the preview. `images` are new image
	 * bytes still in memory (a freshly drawn signature) that the device may not hold yet.
	 */
	async startSign(
		draft: Draft,
		images: ReadonlyMap<string, Uint8Array> = NO_IMAGES
	): Promise<void> {
		this.#reset({ kind: 'signed' }, draft, images);
		await this.#prepare();
	}

	/** Starts a rejection with its reason: nothing is drawn, so it goes straight to the passkey. */
	async startReject(reason: string): Promise<void> {
		this.#reset({ kind: 'rejected', reason }, emptyDraft(), NO_IMAGES);
		await this.#prepare();
		if (this.step === 'preview') await this.confirm();
	}

	#reset(decision: Decision, draft: Draft, images: ReadonlyMap<string, Uint8Array>): void {
		this.cancel();
		this.decision = decision;
		this.#draft = draft;
		this.#images = images;
		this.#ctx = null;
		this.#composed = null;
		this.#assertion = null;
		this.outboxId = null;
		this.error = null;
	}

	async #prepare(): Promise<void> {
		const decision = this.decision!;
		this.step = 'preparing';
		this.phase = 'reading';
		this.error = null;
		const abort = (this.#abort = new AbortController());
		try {
			const ctx = (this.#ctx = await loadContext(this.envelopeId, this.#draft));
			const composed = (this.#composed = await compose(ctx, decision, this.#draft, this.clock()));
			if (decision.kind === 'signed') {
				const input = await previewInputs(ctx, composed.manifest, this.#images);
				const result = await renderPreview(input, (p) => (this.phase = p), abort.signal);
				if (abort.signal.aborted) return;
				this.phase = 'opening';
				const { openPdf } = await import('../pdf-viewer');
				// pdf.js takes the buffer to its worker: give it a copy, the hash is already kept.
				const doc = await openPdf(result.pdf.slice());
				if (abort.signal.aborted) return void doc.destroy();
				this.previewHash = result.sha256;
				this.markedPages = pagesOf(composed.manifest);
				void this.preview?.destroy();
				this.preview = doc;
			}
			this.step = 'preview';
		} catch (error) {
			if (abort.signal.aborted) return;
			this.#fail(error);
		} finally {
			this.phase = null;
		}
	}

	/**
	 * 确认签署 / 确认退回: the passkey over the manifest (skipped when it already answered), then
	 * the one transaction. The step becomes 'done' only after the commit.
	 */
	async confirm(): Promise<void> {
		const ctx = this.#ctx;
		const composed = this.#composed;
		if (!ctx || !composed) return this.retry();
		this.error = null;
		try {
			if (!this.#assertion) {
				this.step = 'ceremony';
				markInFlight(this.envelopeId, composed.manifestHash);
				this.#assertion = await askPasskey(composed.manifest);
			}
			this.step = 'saving';
			this.outboxId = await commitConfirmation({
				ctx,
				composed,
				assertion: this.#assertion,
				previewHash: this.decision?.kind === 'signed' ? this.previewHash : null,
				newImages: this.#images,
				now: this.clock()
			});
			clearInFlight(this.envelopeId);
			this.step = 'done';
			announceOutbox();
			void topUpIfOnline();
		} catch (error) {
			// The ticket went to another tab: this assertion names it and can never sync, so the
			// manifest is composed again with a fresh ticket and the passkey asked once more.
			if (error instanceof ApiError && error.code === 'TICKET_USED') {
				this.#assertion = null;
				this.#composed = null;
			}
			if (!this.#assertion) clearInFlight(this.envelopeId);
			this.#fail(error);
		}
	}

	/** Resumes after a failure: prepares again if nothing was composed, else confirms. */
	async retry(): Promise<void> {
		if (!this.#composed) {
			await this.#prepare();
			if (this.step === 'preview' && this.decision?.kind === 'rejected') await this.confirm();
			return;
		}
		await this.confirm();
	}

	/** The signer closed the dialog: stop a running render and forget the preview. */
	cancel(): void {
		this.#abort?.abort();
		this.#abort = null;
		void this.preview?.destroy();
		this.preview = null;
		this.previewHash = null;
		if (this.step !== 'done') {
			this.step = 'idle';
			if (this.#assertion === null) clearInFlight(this.envelopeId);
		}
	}

	#fail(error: unknown): void {
		this.error = error instanceof ApiError ? error : new ApiError('INTERNAL', 0, String(error));
		// Back to where a retry starts: the preview stays shown if there is one.
		this.step =
			this.#composed && (this.preview || this.decision?.kind === 'rejected') ? 'preview' : 'idle';
	}
}
