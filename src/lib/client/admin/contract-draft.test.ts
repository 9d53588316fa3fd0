import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { ContractDraft, contractFormMessage } from './contract-draft.svelte';
import type { OrgUser } from '$lib/domain/api-types';

const certification: OrgUser['certification'] = {
	level: 'self-declared',
	method: 'self-declared',
	documentType: null,
	provider: null,
	at: null,
	simulated: false
};
const users: OrgUser[] = [
	{
		id: 'u-admin',
		name: 'Admin',
		role: 'admin',
		contact: 'admin@example.cn',
		enrolled: true,
		certification
	},
	{ id: 'u-wang', name: '王五', role: 'signer', contact: null, enrolled: false, certification }
];

describe('ContractDraft', () => {
	it('starts with our organisation signed by the admin, and sends account contacts along', () => {
		const draft = new ContractDraft(() => ({ me: { id: 'u-admin' }, users }));
		draft.title = 'Supply';
		draft.addParty('person');
		const [, counter] = draft.parties;
		counter!.name = '李四';
		counter!.signers[0]!.name = '李四';
		counter!.signers[0]!.contact = 'lisi@example.cn';
		expect(draft.toForm()).toEqual({
			title: 'Supply',
			signingOrder: 'sequential',
			deadline: null,
			reminders: null,
			requiredLevel: null,
			parties: [
				{
					name: '',
					kind: 'organisation',
					signers: [{ name: '', contact: 'admin@example.cn', userId: 'u-admin', order: 1 }]
				},
				{
					name: '李四',
					kind: 'person',
					signers: [{ name: '李四', contact: 'lisi@example.cn', userId: null, order: 2 }]
				}
			]
		});
	});

	it('sends the required signer level, none unless chosen (PC11)', () => {
		const draft = new ContractDraft(() => ({ me: { id: 'u-admin' }, users }));
		expect(draft.toForm().requiredLevel).toBeNull();
		draft.requiredLevel = 'provider-verified';
		expect(draft.toForm().requiredLevel).toBe('provider-verified');
	});

	it('sends a reminder plan only with a deadline: the default, the chosen days, or none (DL6)', () => {
		const draft = new ContractDraft(() => ({ me: { id: 'u-admin' }, users }));
		expect(draft.toForm().reminders).toBeNull();
		draft.deadline = '2026-12-31';
		expect(draft.toForm().reminders).toEqual({ firstDaysBefore: 3, everyDays: 2 });
		draft.remindFirstDays = 7;
		draft.remindEveryDays = 1;
		expect(draft.toForm().reminders).toEqual({ firstDaysBefore: 7, everyDays: 1 });
		draft.remind = false;
		expect(draft.toForm().reminders).toBeNull();
	});

	it('numbers a new signer after all others and drops a party with its last signer', () => {
		const draft = new ContractDraft(() => ({ me: { id: 'u-admin' }, users }));
		draft.addParty('organisation');
		draft.addSigner(draft.parties[0]!);
		expect(draft.signerCount).toBe(3);
		expect(draft.parties[0]!.signers[1]!.order).toBe(3);
		const second = draft.parties[1]!;
		draft.removeSigner(second, second.signers[0]!);
		expect(draft.parties).toHaveLength(1);
		expect(draft.signerCount).toBe(2);
	});
});

describe('contractFormMessage', () => {
	it('names the signer the server refused, counting from 1', () => {
		const error = new ApiError('CONTACT_INVALID', 400, 'bad contact', { index: 1 });
		expect(contractFormMessage(error)).toMatch(/2/);
		expect(contractFormMessage(error)).not.toBe(
			contractFormMessage(new ApiError('CONTACT_INVALID', 400, ''))
		);
	});
});
