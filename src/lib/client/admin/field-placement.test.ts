import { describe, expect, it } from 'vitest';
import type { Field } from '$lib/domain/envelope';
import { FieldEditor } from './field-editor.svelte';
import { FieldPlacement } from './field-placement.svelte';

const A4 = { width: 595, height: 842 };

/** An editor with one seal field and the placement wired to it, at 2 CSS px per point. */
function setup(editable = true) {
	const seal: Field = {
		id: 'f1',
		kind: 'seal',
		signerId: 's1',
		page: 1,
		rect: { x: 100, y: 500, width: 120, height: 120 },
		required: true
	};
	const editor = new FieldEditor({
		pages: [A4, A4],
		signers: [{ id: 's1', partyId: 'p1', name: '甲', order: 1 }],
		fields: [seal]
	});
	const placed: Field[] = [];
	const removed: string[] = [];
	const placement = new FieldPlacement({
		editor: () => editor,
		editable: () => editable,
		scale: () => 2,
		placed: (field) => placed.push(field),
		remove: (id) => removed.push(id)
	});
	return { editor, placement, placed, removed, field: () => editor.fields[0]! };
}

/** The parts of a pointer event the placement reads; `layer` is where the page layer sits. */
function pointer(clientX: number, clientY: number, target?: object) {
	const layer = {
		getBoundingClientRect: () => ({ left: 10, top: 20 }),
		setPointerCapture: () => {}
	};
	return {
		clientX,
		clientY,
		pointerId: 1,
		target: target ?? layer,
		currentTarget: layer,
		preventDefault: () => {},
		stopPropagation: () => {}
	} as unknown as PointerEvent;
}

function key(k: string, mods: Partial<KeyboardEvent> = {}) {
	let prevented = false;
	const event = { key: k, ...mods, preventDefault: () => (prevented = true) };
	return { event: event as unknown as KeyboardEvent, prevented: () => prevented };
}

describe('FieldPlacement: keyboard (L2)', () => {
	it('moves by 2 pt per arrow, 20 pt with Ctrl, in screen directions', () => {
		const { editor, placement, field } = setup();
		placement.fieldKey(key('ArrowRight').event, field());
		placement.fieldKey(key('ArrowDown', { ctrlKey: true }).event, field());
		expect(field().rect).toEqual({ x: 102, y: 480, width: 120, height: 120 });
		expect(editor.selectedId).toBe('f1');
		expect(editor.dirty).toBe(true);
	});

	it('resizes from the bottom-right corner with Shift', () => {
		const { placement, field } = setup();
		placement.fieldKey(key('ArrowRight', { shiftKey: true }).event, field());
		placement.fieldKey(key('ArrowDown', { shiftKey: true }).event, field());
		expect(field().rect).toEqual({ x: 100, y: 498, width: 122, height: 122 });
	});

	it('hands Delete to the screen, and Escape deselects', () => {
		const { editor, placement, removed, field } = setup();
		const del = key('Delete');
		placement.fieldKey(del.event, field());
		expect(removed).toEqual(['f1']);
		expect(del.prevented()).toBe(true);
		editor.selectedId = 'f1';
		placement.fieldKey(key('Escape').event, field());
		expect(editor.selectedId).toBeNull();
	});

	it('changes nothing once the contract has left draft, but Escape still deselects', () => {
		const { editor, placement, removed, field } = setup(false);
		placement.fieldKey(key('ArrowLeft').event, field());
		placement.fieldKey(key('Delete').event, field());
		expect(field().rect.x).toBe(100);
		expect(removed).toEqual([]);
		expect(editor.dirty).toBe(false);
		editor.selectedId = 'f1';
		placement.fieldKey(key('Escape').event, field());
		expect(editor.selectedId).toBeNull();
	});
});

describe('FieldPlacement: pointer', () => {
	it('a drag on a page draws a field of the size drawn, in PDF points from the bottom', () => {
		const { editor, placement, placed } = setup();
		editor.tool = 'signature';
		placement.startDraw(pointer(10 + 100, 20 + 200), 2);
		placement.layerMove(pointer(10 + 420, 20 + 300));
		expect(placement.drawBox(2)).toEqual({ left: 100, top: 200, width: 320, height: 100 });
		expect(placement.drawBox(1)).toBeNull();
		placement.layerUp();
		expect(placed).toHaveLength(1);
		expect(placed[0]).toMatchObject({
			kind: 'signature',
			page: 2,
			signerId: 's1',
			rect: { x: 50, y: 842 - 150, width: 160, height: 50 }
		});
		expect(editor.tool).toBeNull();
		expect(placement.gesture).toBeNull();
	});

	it('a click places the default size centred where it was clicked (L3)', () => {
		const { editor, placement, placed } = setup();
		editor.tool = 'seal';
		placement.startDraw(pointer(10 + 400, 20 + 400), 1);
		placement.layerUp();
		expect(placed[0]!.rect).toEqual({ x: 140, y: 842 - 260, width: 120, height: 120 });
	});

	it('draws nothing without an armed tool, or when the press lands on a field', () => {
		const { editor, placement } = setup();
		placement.startDraw(pointer(100, 100), 1);
		expect(placement.gesture).toBeNull();
		editor.tool = 'date';
		placement.startDraw(pointer(100, 100, {}), 1);
		expect(placement.gesture).toBeNull();
	});

	it('dragging a field moves it by the pointer distance over the scale, from where it started', () => {
		const { placement, field } = setup();
		placement.startField(pointer(300, 300), field(), 'move');
		placement.fieldMove(pointer(310, 300));
		placement.fieldMove(pointer(340, 320));
		placement.fieldUp();
		expect(field().rect).toEqual({ x: 120, y: 490, width: 120, height: 120 });
		expect(placement.gesture).toBeNull();
	});

	it('a press on a field of a sent contract selects it without starting a drag', () => {
		const { editor, placement, field } = setup(false);
		placement.startField(pointer(300, 300), field(), 'resize');
		expect(editor.selectedId).toBe('f1');
		expect(placement.gesture).toBeNull();
	});
});
