import type { Envelope } from './envelope';
import type { Manifest } from './manifest';
import type { SealRecord } from './rules';

/*
 * Sample data shared by the tests of the domain, the PDF renderer and the server. Plain values
 * built in code, so every test starts from the same well-formed contract and varies one thing.
 */

export const SAMPLE_DOC_HASH = 'a'.repeat(64);
export const SIGNATURE_IMAGE = 'b'.repeat(64);
export const SEAL_IMAGE = 'c'.repeat(64);
/** When sampleManifest()'s ticket was issued. */
export const SAMPLE_TICKET_ISSUED_AT = '2026-02-20T08:00:00.000Z';

/** The receiver's record of the sample seal: active, one 42 mm image valid since before the ticket. */
export function sampleSeals(): Map<string, SealRecord> {
	return new Map([
		[
			'seal-contract',
			{
				status: 'active',
				versions: [
					{
						imageHash: SEAL_IMAGE,
						sizeMm: { width: 42, height: 42 },
						validFrom: '2026-01-01T00:00:00.000Z',
						validUntil: null
					}
				]
			}
		]
	]);
}

/** A three-page A4 contract: buyer (org, seals) signs first, then the seller's person signs. */
export function sampleEnvelope(overrides: Partial<Envelope> = {}): Envelope {
	const a4 = { width: 595.28, height: 841.89 };
	return {
		id: 'env-1',
		docHash: SAMPLE_DOC_HASH,
		revision: 1,
		status: 'sent',
		pages: [a4, a4, a4],
		signingOrder: 'sequential',
		parties: [
			{ id: 'party-a', name: '示例科技有限公司', kind: 'organisation' },
			{ id: 'party-b', name: '李四', kind: 'person' }
		],
		signers: [
			{ id: 'alice', partyId: 'party-a', name: '张三', order: 1 },
			{ id: 'bob', partyId: 'party-b', name: '李四', order: 2 }
		],
		fields: [
			{
				id: 'f-sig-a',
				kind: 'signature',
				signerId: 'alice',
				page: 3,
				rect: { x: 60, y: 200, width: 160, height: 50 },
				required: true
			},
			{
				id: 'f-seal-a',
				kind: 'seal',
				signerId: 'alice',
				page: 3,
				rect: { x: 80, y: 260, width: 120, height: 120 },
				required: true
			},
			{
				id: 'f-date-a',
				kind: 'date',
				signerId: 'alice',
				page: 3,
				rect: { x: 60, y: 170, width: 160, height: 20 },
				required: false
			},
			{
				id: 'f-seam-a',
				kind: 'riding-seam',
				signerId: 'alice',
				page: 1,
				rect: { x: 520, y: 380, width: 75, height: 120 },
				required: false
			},
			{
				id: 'f-sig-b',
				kind: 'signature',
				signerId: 'bob',
				page: 3,
				rect: { x: 340, y: 200, width: 160, height: 50 },
				required: true
			}
		],
		...overrides
	};
}

/** Alice's complete, valid signing manifest for sampleEnvelope(). */
export function sampleManifest(overrides: Partial<Manifest> = {}): Manifest {
	return {
		v: 1,
		envelopeId: 'env-1',
		docHash: SAMPLE_DOC_HASH,
		revision: 1,
		signerId: 'alice',
		credentialId: 'cred-alice',
		ticket: { id: 'ticket-1', nonce: 'bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U' },
		deviceTime: '2026-03-01T08:00:00.000Z',
		decision: { kind: 'signed' },
		fills: [
			{ ...placeOf('f-sig-a'), kind: 'signature', image: SIGNATURE_IMAGE },
			{
				...placeOf('f-seal-a'),
				kind: 'seal',
				sealId: 'seal-contract',
				image: SEAL_IMAGE,
				sizeMm: { width: 42, height: 42 }
			},
			{ ...placeOf('f-date-a'), kind: 'date', text: '2026年3月1日' }
		],
		seals: [
			{
				sealId: 'seal-contract',
				image: SEAL_IMAGE,
				page: 2,
				centre: { x: 300, y: 400 },
				sizeMm: { width: 42, height: 42 }
			}
		],
		ridingSeams: [
			{
				sealId: 'seal-contract',
				image: SEAL_IMAGE,
				pages: 'all',
				edge: 'right',
				position: 0.5,
				sizeMm: { width: 42, height: 42 },
				fieldId: 'f-seam-a'
			}
		],
		...overrides
	};
}

/** The place of a sample field, as a manifest copies it from the envelope. */
export function placeOf(fieldId: string, envelope: Envelope = sampleEnvelope()) {
	const field = envelope.fields.find((f) => f.id === fieldId);
	if (!field) throw new Error(`No field ${fieldId}`);
	return { fieldId, page: field.page, rect: { ...field.rect } };
}
