import { describe, expect, it } from 'vitest';
import { manifestSealUses } from './manifest';
import { placeOf, sampleManifest } from './fixtures';

describe('manifestSealUses', () => {
	it('SA7: one use per seal with every stamp of it in manifest order (field, free, riding seam)', () => {
		const manifest = sampleManifest();
		const fieldPage = placeOf('f-seal-a').page;
		expect(manifestSealUses(manifest)).toEqual([
			{
				sealId: 'seal-contract',
				marks: [
					{ kind: 'seal-field', pages: [fieldPage] },
					{ kind: 'free-seal', pages: [2] },
					{ kind: 'riding-seam', pages: 'all' }
				]
			}
		]);
	});

	it('SA7: two seals are two uses, in first-use order; chosen seam pages are copied', () => {
		const manifest = sampleManifest({
			seals: [
				{
					sealId: 'seal-finance',
					image: 'b'.repeat(64),
					page: 3,
					centre: { x: 10, y: 10 },
					sizeMm: { width: 40, height: 40 }
				}
			],
			ridingSeams: [
				{
					sealId: 'seal-finance',
					image: 'b'.repeat(64),
					pages: [1, 2],
					edge: 'left',
					position: 0.3,
					sizeMm: { width: 40, height: 40 }
				}
			]
		});
		const uses = manifestSealUses(manifest);
		expect(uses.map((u) => u.sealId)).toEqual(['seal-contract', 'seal-finance']);
		expect(uses[1]!.marks).toEqual([
			{ kind: 'free-seal', pages: [3] },
			{ kind: 'riding-seam', pages: [1, 2] }
		]);
		// A copy: changing the use must not change the manifest that was signed.
		(uses[1]!.marks[1]!.pages as number[]).push(9);
		expect(manifest.ridingSeams[0]!.pages).toEqual([1, 2]);
	});

	it('SA7: a signature-only or rejected manifest has no uses', () => {
		const rejected = sampleManifest({
			decision: { kind: 'rejected', reason: '金额有误' },
			fills: [],
			seals: [],
			ridingSeams: []
		});
		expect(manifestSealUses(rejected)).toEqual([]);
		const signatureOnly = sampleManifest({
			fills: [{ ...placeOf('f-sig-a'), kind: 'signature', image: 'a'.repeat(64) }],
			seals: [],
			ridingSeams: []
		});
		expect(manifestSealUses(signatureOnly)).toEqual([]);
	});
});
