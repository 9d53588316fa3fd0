import type { Envelope, FieldKind, Party, Signer } from './envelope';
import { currentRound } from './lifecycle';
import type { Manifest } from './manifest';
import { signingSteps } from './page-geometry';
import { signersDue } from './rules';

// The contract's details (签署详情) a signer reads before signing: who signs for which party,
// in what order and who is due now, how far it got, and what this signer will have to place.
// Pure, from the device copy, so the page reads the same offline (as of the last sync).

/** One signer as the details page lists them under their party. */
export interface SignerStanding {
	signer: Signer;
	/** Their decision in the current round (LC2), as of the device's last sync. */
	decision: 'signed' | 'rejected' | 'pending';
	/** Whether they may sign now (R9): their turn has come and they have not decided. */
	due: boolean;
	/** Whether this is one of the device user's signers. */
	mine: boolean;
}

/** What one of the user's fields asks of them: the kind, on which pages (a riding seam: several). */
export interface OwnField {
	kind: FieldKind;
	pages: number[];
	required: boolean;
}

export interface ContractDetails {
	parties: { party: Party; signers: SignerStanding[] }[];
	/** Signers that signed, of all signers. */
	progress: { signed: number; total: number };
	/** The signers due now, in order (the "whose turn" line). */
	due: Signer[];
	/** The user's own fields in the order they are walked through (signingSteps). */
	mine: OwnField[];
}

/** The details of `envelope` for the user whose signers are `mySignerIds`. */
export function contractDetails(
	envelope: Envelope,
	accepted: readonly Manifest[],
	mySignerIds: readonly string[]
): ContractDetails {
	const round = currentRound(envelope, accepted);
	const decisions = new Map(round.map((m) => [m.signerId, m.decision.kind]));
	const dueIds = new Set(signersDue(envelope, round));
	const mine = new Set(mySignerIds);
	const bySigner = (s: Signer): SignerStanding => ({
		signer: s,
		decision: decisions.get(s.id) ?? 'pending',
		due: dueIds.has(s.id),
		mine: mine.has(s.id)
	});
	const ordered = [...envelope.signers].sort((a, b) => a.order - b.order);
	return {
		parties: envelope.parties.map((party) => ({
			party,
			signers: ordered.filter((s) => s.partyId === party.id).map(bySigner)
		})),
		progress: {
			signed: envelope.signers.filter((s) => decisions.get(s.id) === 'signed').length,
			total: envelope.signers.length
		},
		due: ordered.filter((s) => dueIds.has(s.id)),
		mine: signingSteps(envelope, mySignerIds).map((f) => ({
			kind: f.kind,
			// A riding seam goes across the pages, all of them by default (K10).
			pages: f.kind === 'riding-seam' ? envelope.pages.map((_, i) => i + 1) : [f.page],
			required: f.required
		}))
	};
}
