import { describe, expect, it } from 'vitest';
import { checkMemberChange, mayKeepSeals, memberRole, storedRole, MEMBER_ROLES } from './members';

const target = (role: 'admin' | 'seal_keeper' | 'signer', active = true) => ({
	id: 'bob',
	role,
	active
});

describe('member roles', () => {
	it('MB1: each role survives its stored form, and only administrators and seal keepers keep seals', () => {
		for (const role of MEMBER_ROLES) expect(memberRole(storedRole(role))).toBe(role);
		expect(mayKeepSeals(storedRole('admin'))).toBe(true);
		expect(mayKeepSeals(storedRole('seal_keeper'))).toBe(true);
		expect(mayKeepSeals(storedRole('signer'))).toBe(false);
		// An administrator row with a stale seal-keeper mark is still an administrator.
		expect(memberRole({ role: 'admin', seal_keeper: 1 })).toBe('admin');
	});

	it('MB2: nobody changes or deactivates their own account', () => {
		const own = { ...target('admin'), id: 'alice' };
		for (const change of [{ kind: 'role', role: 'signer' }, { kind: 'deactivate' }] as const) {
			expect(
				checkMemberChange({ actorId: 'alice', target: own, change, activeAdmins: 3 })?.code
			).toBe('FORBIDDEN');
		}
	});

	it('MB3: the last active administrator cannot be demoted or deactivated; with two, one can', () => {
		const demote = { kind: 'role', role: 'seal_keeper' } as const;
		const off = { kind: 'deactivate' } as const;
		for (const change of [demote, off]) {
			expect(
				checkMemberChange({ actorId: 'alice', target: target('admin'), change, activeAdmins: 1 })
					?.code
			).toBe('LAST_ADMIN');
			expect(
				checkMemberChange({ actorId: 'alice', target: target('admin'), change, activeAdmins: 2 })
			).toBeNull();
		}
		// Signers and seal keepers never count against the administrators.
		expect(
			checkMemberChange({
				actorId: 'alice',
				target: target('signer'),
				change: off,
				activeAdmins: 1
			})
		).toBeNull();
	});

	it('MB5: a deactivated member is only reactivated, and an active one cannot be', () => {
		expect(
			checkMemberChange({
				actorId: 'alice',
				target: target('signer', false),
				change: { kind: 'role', role: 'admin' },
				activeAdmins: 1
			})?.code
		).toBe('ACCOUNT_DEACTIVATED');
		expect(
			checkMemberChange({
				actorId: 'alice',
				target: target('signer', false),
				change: { kind: 'reactivate' },
				activeAdmins: 1
			})
		).toBeNull();
		expect(
			checkMemberChange({
				actorId: 'alice',
				target: target('signer'),
				change: { kind: 'reactivate' },
				activeAdmins: 1
			})?.code
		).toBe('BAD_REQUEST');
	});
});
