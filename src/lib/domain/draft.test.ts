import { describe, expect, it } from 'vitest';
import { composeManifest, draftImages, emptyDraft, type Draft } from './draft';
import {
	sampleEnvelope,
	sampleManifest,
	SEAL_IMAGE,
	SIGNATURE_IMAGE,
	sampleSeals,
	SAMPLE_TICKET_ISSUED_AT
} from './fixtures';
import { validateManifest } from './rules';
import { manifestHash } from './canonical';

const base = {
	envelope: sampleEnvelope(),
	signerId: 'alice',
	credentialId: 'cred-alice',
	ticket: { id: 'ticket-1', nonce: 'bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U' },
	deviceTime: '2026-03-01T08:00:00.000Z'
};

/** The sample manifest's marks, as the contract view would hold them. */
function aliceDraft(): Draft {
	const m = sampleManifest();
	const draft = emptyDraft();
	for (const fill of m.fills) {
		const { fieldId, page: _p, rect: _r, ...rest } = fill;
		draft.fills[fieldId] = rest;
	}
	draft.seals = m.seals;
	draft.ridingSeams = m.ridingSeams;
	return draft;
}

describe('composeManifest', () => {
	it('M1/R7: a draft of the sample marks composes exactly the sample manifest (same hash)', async () => {
		const composed = composeManifest({
			...base,
			decision: { kind: 'signed' },
			draft: aliceDraft()
		});
		expect(await manifestHash(composed)).toBe(await manifestHash(sampleManifest()));
		expect(
			validateManifest(base.envelope, composed, {
				accepted: [],
				images: new Set([SIGNATURE_IMAGE, SEAL_IMAGE]),
				authorisedSeals: new Set(['seal-contract']),
				seals: sampleSeals(),
				ticketIssuedAt: SAMPLE_TICKET_ISSUED_AT
			})
		).toEqual([]);
	});

	it('R7: geometry comes from the envelope, and unknown field ids are dropped', () => {
		const draft = aliceDraft();
		draft.fills['no-such-field'] = { kind: 'signature', image: SIGNATURE_IMAGE };
		const composed = composeManifest({ ...base, decision: { kind: 'signed' }, draft });
		expect(composed.fills.map((f) => f.fieldId)).toEqual(['f-sig-a', 'f-seal-a', 'f-date-a']);
		const field = base.envelope.fields.find((f) => f.id === 'f-sig-a')!;
		expect(composed.fills[0]!.rect).toEqual(field.rect);
	});

	it('P5/R16: a rejection carries the trimmed reason and no marks', () => {
		const composed = composeManifest({
			...base,
			decision: { kind: 'rejected', reason: '  金额有误 ' },
			draft: aliceDraft()
		});
		expect(composed.decision).toEqual({ kind: 'rejected', reason: '金额有误' });
		expect([composed.fills, composed.seals, composed.ridingSeams]).toEqual([[], [], []]);
	});

	it('lists each image of a draft once', () => {
		expect(draftImages(aliceDraft())).toEqual([SIGNATURE_IMAGE, SEAL_IMAGE]);
		expect(draftImages(emptyDraft())).toEqual([]);
	});
});
