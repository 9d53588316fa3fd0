import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { sealProblemMessage } from './admin-seals';
import { SealEditor } from './seal-editor.svelte';
import type { AdminSeal } from '$lib/domain/api-types';
import { DEFAULT_SEAL_SPECS } from '$lib/domain/seal-svg';

const ORG = '福建省某某科技有限公司';

describe('SealEditor', () => {
	it('starts as a round seal with the organisation along the arc, ready to save at once', () => {
		const editor = new SealEditor(() => ORG);
		expect(editor.spec).toEqual({ ...DEFAULT_SEAL_SPECS.round, orgName: ORG });
		expect(editor.label).toBe('合同专用章');
		expect(editor.preview).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
		expect(editor.attempt()).toBe(true);
	});

	it('says nothing about an empty name until the admin tries to save, then marks the fields', () => {
		const editor = new SealEditor(() => '');
		editor.label = ' ';
		expect(editor.fieldErrors).toEqual({});
		expect(editor.preview).toBeNull();
		expect(editor.attempt()).toBe(false);
		expect(editor.fieldErrors.orgName).toBeTruthy();
		expect(editor.fieldErrors.label).toBe(sealProblemMessage('label'));
	});

	it('keeps the typed texts across a shape change, but a square seal has no centre text', () => {
		const editor = new SealEditor(() => ORG);
		editor.spec.bottomCode = '3501000000001';
		editor.chooseShape('square');
		expect(editor.spec).toMatchObject({
			shape: 'square',
			widthMm: DEFAULT_SEAL_SPECS.square.widthMm,
			orgName: ORG,
			centreText: '',
			bottomCode: '3501000000001'
		});
		editor.chooseShape('oval');
		expect(editor.spec.centreText).toBe(DEFAULT_SEAL_SPECS.oval.centreText);
		expect(editor.spec.orgName).toBe(ORG);
	});

	it('keeps a round seal a circle as its width changes; an empty width is an error, not 0', () => {
		const editor = new SealEditor(() => ORG);
		editor.setWidth('38');
		expect([editor.spec.widthMm, editor.spec.heightMm]).toEqual([38, 38]);
		editor.chooseShape('oval');
		editor.setWidth('50');
		expect([editor.spec.widthMm, editor.spec.heightMm]).toEqual([
			50,
			DEFAULT_SEAL_SPECS.oval.heightMm
		]);
		editor.setWidth('');
		expect(editor.fieldErrors.widthMm).toBeTruthy();
		expect(editor.preview).toBeNull();
	});

	it('shows what the server refused beside its field until the next attempt', () => {
		const editor = new SealEditor(() => ORG);
		editor.refused(
			new ApiError('SEAL_SPEC_INVALID', 400, 'Seal name must be 1–40 characters', {
				problems: [{ field: 'label', code: 'NAME_TOO_LONG' }]
			})
		);
		expect(editor.fieldErrors.label).toBe(sealProblemMessage('label'));
		editor.attempt();
		expect(editor.fieldErrors.label).toBeUndefined();
	});

	it('edits a generated seal in a copy, and a reset goes back to a new seal', () => {
		const spec = { ...DEFAULT_SEAL_SPECS.oval, orgName: 'Acme' };
		const seal = { id: 's1', name: '财务章', spec } as AdminSeal;
		const editor = new SealEditor(() => ORG);
		expect(editor.load({ ...seal, spec: null })).toBe(false);
		expect(editor.editing).toBeNull();
		expect(editor.load(seal)).toBe(true);
		expect([editor.editing, editor.label, editor.spec.shape]).toEqual(['s1', '财务章', 'oval']);
		editor.spec.orgName = 'Changed';
		expect(spec.orgName).toBe('Acme');
		editor.reset();
		expect(editor.editing).toBeNull();
		expect(editor.spec).toEqual({ ...DEFAULT_SEAL_SPECS.round, orgName: ORG });
	});
});
