import { failure, type Failure } from './errors';

/**
 * The roles a member holds in an organisation (SPEC MB1). An administrator does everything; a
 * seal keeper (印章管理员) makes seals and grants or revokes their use; a signer signs what is
 * sent to them. Stored as the account's role plus a seal-keeper mark, so the older two-role
 * column keeps its meaning for everything that only asks "is this an administrator".
 */
export const MEMBER_ROLES = ['admin', 'seal_keeper', 'signer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** The stored form of a role: the account's role column and its seal-keeper mark. */
export interface StoredRole {
	role: 'admin' | 'signer';
	seal_keeper: number;
}

export function memberRole(stored: StoredRole): MemberRole {
	if (stored.role === 'admin') return 'admin';
	return stored.seal_keeper ? 'seal_keeper' : 'signer';
}

export function storedRole(role: MemberRole): StoredRole {
	return role === 'admin'
		? { role: 'admin', seal_keeper: 0 }
		: { role: 'signer', seal_keeper: role === 'seal_keeper' ? 1 : 0 };
}

/** MB1: who may make seals and grant or revoke their use. */
export function mayKeepSeals(stored: StoredRole): boolean {
	return memberRole(stored) !== 'signer';
}

export type MemberChange =
	{ kind: 'role'; role: MemberRole } | { kind: 'deactivate' } | { kind: 'reactivate' };

export interface MemberChangeInput {
	/** The administrator asking. */
	actorId: string;
	target: { id: string; role: MemberRole; active: boolean };
	change: MemberChange;
	/** Active administrators in the organisation now, the target included if it is one. */
	activeAdmins: number;
}

/**
 * Whether an administrator may make this change (MB2, MB3): never to their own account (one
 * click could lock them out), and never one that leaves the organisation without an active
 * administrator, since nobody could then undo it. Null when allowed.
 */
export function checkMemberChange(input: MemberChangeInput): Failure | null {
	const { actorId, target, change, activeAdmins } = input;
	if (target.id === actorId) {
		return failure(
			'FORBIDDEN',
			'Administrators cannot change their own role or deactivate themselves'
		);
	}
	if (change.kind === 'reactivate') {
		return target.active ? failure('BAD_REQUEST', 'The member is active') : null;
	}
	if (!target.active) {
		return failure('ACCOUNT_DEACTIVATED', 'Reactivate the member before changing them');
	}
	const losesAdmin =
		target.role === 'admin' && (change.kind === 'deactivate' || change.role !== 'admin');
	if (losesAdmin && activeAdmins <= 1) {
		return failure('LAST_ADMIN', 'The organisation needs at least one active administrator');
	}
	return null;
}
