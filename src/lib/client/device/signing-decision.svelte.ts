import type { Draft } from '$lib/domain/draft';
import { wasInterrupted } from './confirm';
import { ConfirmFlow } from './confirm-flow.svelte';
import { oneClickDraftFor } from './one-click';
import { TicketSupplyState } from './ticket-supply.svelte';

/**
 * The signer's decision on one contract: confirming a draft (preview, then the passkey) or
 * returning the contract with a reason, each in its dialog; one-click marks (D6) from the saved
 * signature and the first seal make a draft in one step. Also says when an earlier confirmation
 * on this device was interrupted, and keeps the challenge-ticket supply fresh.
 *
 * Made during the page's initialisation: its effects belong to the page.
 */
export class SigningDecision {
	readonly supply = new TicketSupplyState();
	readonly flow: ConfirmFlow;
	confirmOpen = $state(false);
	rejectOpen = $state(false);
	/** One click found nothing to mark with. */
	noMarks = $state(false);
	interrupted = $state(false);

	constructor(private readonly id: () => string) {
		this.flow = $derived(new ConfirmFlow(id()));
		$effect(() => this.supply.start());
		$effect(() => {
			const envelopeId = id();
			this.interrupted = false;
			void wasInterrupted(envelopeId).then((v) => (this.interrupted = v && envelopeId === id()));
		});
	}

	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- handed on once, never drawn
	confirm(draft: Draft, images: ReadonlyMap<string, Uint8Array> = new Map()): void {
		this.interrupted = false;
		this.confirmOpen = true;
		void this.flow.startSign(draft, images);
	}

	reject(): void {
		this.interrupted = false;
		this.rejectOpen = true;
	}

	async oneClick(): Promise<void> {
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- the moment of the click, never drawn
		const draft = await oneClickDraftFor(this.id(), new Date());
		this.noMarks = !draft;
		if (draft) this.confirm(draft);
	}
}
