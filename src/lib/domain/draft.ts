import type { Envelope } from './envelope';
import type { Decision, Fill, FreeSeal, Manifest, RidingSeam, SizeMm, TicketRef } from './manifest';

/**
 * What a signer has marked on a contract but not yet confirmed: the editable state behind the
 * contract view. Fields are keyed by id and carry no geometry; the geometry is copied from the
 * envelope only when the manifest is composed, so a draft can never drift from its fields (R7).
 */
export type DraftFill =
	| { kind: 'signature'; image: string }
	| { kind: 'seal'; sealId: string; image: string; sizeMm: SizeMm }
	| { kind: 'date'; text: string };

export interface Draft {
	fills: Record<string, DraftFill>;
	seals: FreeSeal[];
	ridingSeams: RidingSeam[];
}

/** A draft with no marks: what the contract view starts from. */
export function emptyDraft(): Draft {
	return { fills: {}, seals: [], ridingSeams: [] };
}

/** Every image hash a draft draws with, once each, in first-use order. */
export function draftImages(draft: Draft): string[] {
	const images = new Set<string>();
	for (const fill of Object.values(draft.fills)) if (fill.kind !== 'date') images.add(fill.image);
	for (const seal of draft.seals) images.add(seal.image);
	for (const seam of draft.ridingSeams) images.add(seam.image);
	return [...images];
}

export interface ComposeInput {
	envelope: Envelope;
	signerId: string;
	credentialId: string;
	ticket: TicketRef;
	/** The device clock at confirmation (evidence only). */
	deviceTime: string;
	decision: Decision;
	draft: Draft;
}

/**
 * Turns a draft into the manifest the passkey will sign. Fills follow the envelope's field order
 * and copy each field's page and rectangle, so the same marks always give the same manifest and
 * the same challenge. A rejection carries no marks at all: it draws nothing (P5), and a signer
 * who returns a contract must not leave half-placed seals in the evidence. Fills naming a field
 * the envelope lacks are dropped here; validateManifest() is what reports missing required ones.
 */
export function composeManifest(input: ComposeInput): Manifest {
	const { envelope, draft, decision } = input;
	const signed = decision.kind === 'signed';
	const fills: Fill[] = [];
	if (signed) {
		for (const field of envelope.fields) {
			const fill = draft.fills[field.id];
			if (!fill || field.kind === 'riding-seam') continue;
			const place = { fieldId: field.id, page: field.page, rect: { ...field.rect } };
			fills.push({ ...place, ...fill } as Fill);
		}
	}
	return {
		v: 1,
		envelopeId: envelope.id,
		docHash: envelope.docHash,
		revision: envelope.revision,
		signerId: input.signerId,
		credentialId: input.credentialId,
		ticket: { id: input.ticket.id, nonce: input.ticket.nonce },
		deviceTime: input.deviceTime,
		decision: signed ? { kind: 'signed' } : { kind: 'rejected', reason: decision.reason.trim() },
		fills,
		seals: signed ? draft.seals.map((s) => structuredClone(s)) : [],
		ridingSeams: signed ? draft.ridingSeams.map((s) => structuredClone(s)) : []
	};
}
