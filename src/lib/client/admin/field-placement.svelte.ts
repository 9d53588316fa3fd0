import type { Field, Rect } from '$lib/domain/envelope';
import type { FieldEditor } from './field-editor.svelte';

type Gesture =
	| { kind: 'draw'; page: number; x0: number; y0: number; x1: number; y1: number }
	| { kind: 'move' | 'resize'; id: string; from: Rect; x0: number; y0: number };

/** Points per arrow press; with Ctrl/Cmd a coarse step for long distances. */
const STEP = 2;
const COARSE = 20;

/** What the placement needs of the screen it works in, read when an event arrives. */
export interface PlacementHost {
	editor: () => FieldEditor | null;
	/** False once the contract has left draft: fields can be selected, not changed. */
	editable: () => boolean;
	/** CSS pixels per PDF point of the pages shown. */
	scale: () => number;
	/** A field was placed by pointer: the screen moves focus to it. */
	placed: (field: Field) => void;
	/** The Delete key on a field: the screen removes it and keeps focus in the layout. */
	remove: (id: string) => void;
}

function layerPoint(event: PointerEvent, layer: HTMLElement) {
	const box = layer.getBoundingClientRect();
	return { x: event.clientX - box.left, y: event.clientY - box.top };
}

/**
 * Placing fields by pointer and keyboard on the editor's pages: drawing a new field on a page
 * layer (a click places the default size), moving and resizing one by drag, and the arrow keys
 * on a focused field. Every change goes through the FieldEditor, so the domain rules apply.
 */
export class FieldPlacement {
	/** The pointer gesture in progress, if any; one at a time across all pages. */
	gesture = $state<Gesture | null>(null);

	constructor(private readonly host: PlacementHost) {}

	startDraw(event: PointerEvent, page: number): void {
		const editor = this.host.editor();
		if (!editor || !this.host.editable() || !editor.tool || event.target !== event.currentTarget)
			return;
		const layer = event.currentTarget as HTMLElement;
		const p = layerPoint(event, layer);
		layer.setPointerCapture(event.pointerId);
		this.gesture = { kind: 'draw', page, x0: p.x, y0: p.y, x1: p.x, y1: p.y };
		event.preventDefault();
	}

	layerMove(event: PointerEvent): void {
		if (this.gesture?.kind !== 'draw') return;
		const p = layerPoint(event, event.currentTarget as HTMLElement);
		this.gesture = { ...this.gesture, x1: p.x, y1: p.y };
	}

	layerUp(): void {
		const editor = this.host.editor();
		if (!editor || this.gesture?.kind !== 'draw') return;
		const g = this.gesture;
		this.gesture = null;
		const scale = this.host.scale();
		const size = editor.pages[g.page - 1]!;
		const left = Math.min(g.x0, g.x1) / scale;
		const right = Math.max(g.x0, g.x1) / scale;
		const top = Math.min(g.y0, g.y1) / scale;
		const bottom = Math.max(g.y0, g.y1) / scale;
		// A click (or a tiny drag) places the default size there; a real drag gives the size drawn.
		const field =
			right - left >= 8 && bottom - top >= 8
				? editor.add(g.page, {
						x: left,
						y: size.height - bottom,
						width: right - left,
						height: bottom - top
					})
				: editor.placeAt(g.page, { x: left, y: size.height - top });
		editor.tool = null;
		if (field) this.host.placed(field);
	}

	cancel(): void {
		this.gesture = null;
	}

	/** The rectangle being drawn on a page, in CSS pixels of its layer; null when none. */
	drawBox(page: number) {
		const g = this.gesture;
		if (g?.kind !== 'draw' || g.page !== page) return null;
		return {
			left: Math.min(g.x0, g.x1),
			top: Math.min(g.y0, g.y1),
			width: Math.abs(g.x1 - g.x0),
			height: Math.abs(g.y1 - g.y0)
		};
	}

	startField(event: PointerEvent, field: Field, kind: 'move' | 'resize'): void {
		const editor = this.host.editor();
		if (!editor) return;
		editor.selectedId = field.id;
		if (!this.host.editable()) return;
		event.stopPropagation();
		event.preventDefault();
		(event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
		this.gesture = {
			kind,
			id: field.id,
			from: { ...field.rect },
			x0: event.clientX,
			y0: event.clientY
		};
	}

	fieldMove(event: PointerEvent): void {
		const editor = this.host.editor();
		const g = this.gesture;
		if (!editor || !g || g.kind === 'draw') return;
		const scale = this.host.scale();
		const dx = (event.clientX - g.x0) / scale;
		const dy = (event.clientY - g.y0) / scale;
		if (g.kind === 'move') editor.move(g.id, dx, dy, g.from);
		else editor.resize(g.id, dx, dy, g.from);
	}

	fieldUp(): void {
		if (this.gesture && this.gesture.kind !== 'draw') this.gesture = null;
	}

	/** Arrows move (with Shift resize), Delete removes, Enter/Space select, Escape deselects. */
	fieldKey(event: KeyboardEvent, field: Field): void {
		const editor = this.host.editor();
		if (!editor) return;
		if (event.key === 'Escape') {
			editor.selectedId = null;
			return;
		}
		if (!this.host.editable()) return;
		const step = event.ctrlKey || event.metaKey ? COARSE : STEP;
		const delta: Record<string, [number, number]> = {
			ArrowLeft: [-step, 0],
			ArrowRight: [step, 0],
			ArrowUp: [0, -step],
			ArrowDown: [0, step]
		};
		const d = delta[event.key];
		if (d) {
			event.preventDefault();
			editor.selectedId = field.id;
			if (event.shiftKey) editor.resize(field.id, d[0], d[1]);
			else editor.move(field.id, d[0], d[1]);
		} else if (event.key === 'Delete' || event.key === 'Backspace') {
			event.preventDefault();
			this.host.remove(field.id);
		} else if (event.key === 'Enter' || event.key === ' ') {
			event.preventDefault();
			editor.selectedId = field.id;
		}
	}
}
