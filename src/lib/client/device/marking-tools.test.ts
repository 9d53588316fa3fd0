import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import { sampleEnvelope } from '$lib/domain/fixtures';
import type { Field } from '$lib/domain/envelope';
import type { DeviceSeal } from './db';
import { Marking } from './marking.svelte';
import { MarkingTools } from './marking-tools.svelte';

const ROUND: DeviceSeal = {
	id: 'seal-round',
	name: '合同专用章',
	shape: 'round',
	sizeMm: { width: 42, height: 42 },
	image: 'c'.repeat(64)
};
const SQUARE: DeviceSeal = { ...ROUND, id: 'seal-square', name: '财务章', shape: 'square' };

/** Alice's marks on the sample contract (real Marking, device store in memory). */
function setup(seals: DeviceSeal[] = [ROUND, SQUARE], fields?: Field[]) {
	const envelope = sampleEnvelope(fields ? { fields } : {});
	const marking = new Marking(envelope, 'alice');
	marking.seals = seals;
	const tools = new MarkingTools(() => marking);
	const field = (id: string) => envelope.fields.find((f) => f.id === id)!;
	return { marking, tools, field };
}

describe('MarkingTools: seals', () => {
	it('stamps with the first seal until the signer picks another', () => {
		const { marking, tools } = setup();
		expect(tools.chosenSeal?.id).toBe('seal-round');
		tools.pickedSealId = 'seal-square';
		tools.stamp();
		expect(marking.draft.fills['f-seal-a']).toMatchObject({ kind: 'seal', sealId: 'seal-square' });
		expect(tools.sealNotice).toBeNull();
	});

	it('says a seal must be chosen first instead of doing nothing when there is none', async () => {
		const { marking, tools } = setup([]);
		tools.stamp();
		expect(tools.sealNotice).toBe(m.mark_choose_seal_first());
		tools.sealNotice = null;
		await tools.addFreeSeal(1);
		expect(tools.sealNotice).toBe(m.mark_choose_seal_first());
		tools.sealNotice = null;
		tools.addSeam();
		expect(tools.sealNotice).toBe(m.mark_choose_seal_first());
		expect(marking.draft.fills).toEqual({});
		expect(marking.draft.seals).toEqual([]);
		expect(marking.draft.ridingSeams).toEqual([]);
	});

	it('tells how many seal fields were left out because the seal would not fit on the page', () => {
		const edge: Field = {
			id: 'f-seal-edge',
			kind: 'seal',
			signerId: 'alice',
			page: 1,
			rect: { x: 0, y: 0, width: 10, height: 10 },
			required: false
		};
		const { marking, tools } = setup([ROUND], [...sampleEnvelope().fields, edge]);
		tools.stamp();
		expect(tools.sealNotice).toBe(m.mark_stamp_skipped({ count: 1 }));
		expect(marking.draft.fills['f-seal-a']).toBeDefined();
		expect(marking.draft.fills['f-seal-edge']).toBeUndefined();
	});

	it('adds a free seal on the page asked for, and clears an earlier notice', async () => {
		const { marking, tools } = setup();
		tools.sealNotice = 'old';
		await tools.addFreeSeal(2);
		expect(marking.draft.seals).toMatchObject([{ sealId: 'seal-round', page: 2 }]);
		expect(tools.sealNotice).toBeNull();
		expect(tools.sealName('seal-round')).toBe('合同专用章');
	});
});

describe('MarkingTools: tapping a field', () => {
	it('signs an empty signature field with the saved signature at once', () => {
		const { marking, tools, field } = setup();
		marking.defaultSignature = 'b'.repeat(64);
		tools.fillField(field('f-sig-a'));
		expect(marking.draft.fills['f-sig-a']).toEqual({ kind: 'signature', image: 'b'.repeat(64) });
		expect(tools.padTarget).toBeNull();
	});

	it('opens the pad for that field when there is no saved signature', () => {
		const { marking, tools, field } = setup();
		tools.padError = 'old';
		tools.fillField(field('f-sig-a'));
		expect(tools.padTarget).toBe('f-sig-a');
		expect(tools.padError).toBeNull();
		expect(marking.draft.fills['f-sig-a']).toBeUndefined();
	});

	it('stamps an empty seal field with the chosen seal, and leaves a filled field as it is', () => {
		const { marking, tools, field } = setup();
		tools.fillField(field('f-seal-a'));
		expect(marking.draft.fills['f-seal-a']).toMatchObject({ sealId: 'seal-round' });
		tools.pickedSealId = 'seal-square';
		tools.fillField(field('f-seal-a'));
		expect(marking.draft.fills['f-seal-a']).toMatchObject({ sealId: 'seal-round' });
	});

	it('stamps the riding seam a riding-seam step asks for, once', () => {
		const { marking, tools, field } = setup();
		tools.fillField(field('f-seam-a'));
		expect(marking.draft.ridingSeams).toMatchObject([
			{ fieldId: 'f-seam-a', sealId: 'seal-round' }
		]);
		tools.fillField(field('f-seam-a'));
		expect(marking.draft.ridingSeams).toHaveLength(1);
	});

	it('hands a tap made before there is a Marking to the view, to do again once there is one', () => {
		const envelope = sampleEnvelope();
		let marking: Marking | null = null;
		const missed: (() => void)[] = [];
		const tools = new MarkingTools(
			() => marking,
			(retry) => missed.push(retry)
		);
		tools.fillField(envelope.fields.find((f) => f.id === 'f-seal-a')!);
		expect(missed).toHaveLength(1);
		marking = new Marking(envelope, 'alice');
		marking.seals = [ROUND];
		missed[0]!();
		expect(marking.draft.fills['f-seal-a']).toMatchObject({ sealId: 'seal-round' });
	});
});

describe('MarkingTools: the signature pad', () => {
	const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

	it("fills every signature field of the signer when opened for 'all', then closes", async () => {
		const { marking, tools } = setup();
		tools.openPad('all');
		await tools.padDone(PNG, false);
		expect(marking.draft.fills['f-sig-a']).toMatchObject({ kind: 'signature' });
		// Bob's field is not Alice's to sign.
		expect(marking.draft.fills['f-sig-b']).toBeUndefined();
		expect(tools.padTarget).toBeNull();
		expect(tools.padError).toBeNull();
	});

	it('does nothing when the pad was closed meanwhile', async () => {
		const { marking, tools } = setup();
		await tools.padDone(PNG, false);
		expect(marking.draft.fills).toEqual({});
	});
});
