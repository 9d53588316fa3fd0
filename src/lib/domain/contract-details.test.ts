import { describe, expect, it } from 'vitest';
import { contractDetails } from './contract-details';
import { sampleEnvelope, sampleManifest } from './fixtures';

describe('contractDetails', () => {
	it('lists each party with its signers, nobody signed yet and only the first due in a sequential contract', () => {
		const details = contractDetails(sampleEnvelope(), [], ['bob']);
		expect(
			details.parties.map((p) => [
				p.party.name,
				p.signers.map((s) => [s.signer.name, s.decision, s.due, s.mine])
			])
		).toEqual([
			['示例科技有限公司', [['张三', 'pending', true, false]]],
			['李四', [['李四', 'pending', false, true]]]
		]);
		expect(details.due.map((s) => s.id)).toEqual(['alice']);
		expect(details.progress).toEqual({ signed: 0, total: 2 });
	});

	it('moves the turn and the progress on once the first signer signed', () => {
		const details = contractDetails(sampleEnvelope(), [sampleManifest()], ['bob']);
		expect(details.parties[0]!.signers[0]!.decision).toBe('signed');
		expect(details.due.map((s) => s.id)).toEqual(['bob']);
		expect(details.progress).toEqual({ signed: 1, total: 2 });
	});

	it('ignores decisions of an earlier revision (LC2)', () => {
		const details = contractDetails(
			sampleEnvelope({ revision: 2 }),
			[sampleManifest({ revision: 1 })],
			['bob']
		);
		expect(details.progress.signed).toBe(0);
		expect(details.due.map((s) => s.id)).toEqual(['alice']);
	});

	it('has everybody due in a parallel contract', () => {
		const details = contractDetails(sampleEnvelope({ signingOrder: 'parallel' }), [], ['bob']);
		expect(details.due.map((s) => s.id)).toEqual(['alice', 'bob']);
	});

	it('says what the signer will place, page by page, the riding seam across every page last', () => {
		expect(contractDetails(sampleEnvelope(), [], ['alice']).mine).toEqual([
			{ kind: 'seal', pages: [3], required: true },
			{ kind: 'signature', pages: [3], required: true },
			{ kind: 'date', pages: [3], required: false },
			{ kind: 'riding-seam', pages: [1, 2, 3], required: false }
		]);
		expect(contractDetails(sampleEnvelope(), [], ['bob']).mine).toEqual([
			{ kind: 'signature', pages: [3], required: true }
		]);
	});
});
