import { m } from '$lib/paraglide/messages';
import type {
	InviteCreated,
	Member,
	MemberChangeResponse,
	MembersResponse
} from '$lib/domain/api-types';
import type { MemberRole } from '$lib/domain/members';
import type { MemberChangeBody, RecoveryBody, RequestOf } from '$lib/domain/api-requests';
import { api } from '../api';

/** Every member of the admin's organisation, deactivated ones included. */
export async function listMembers(fetcher: typeof fetch): Promise<Member[]> {
	return (await api<MembersResponse>(fetcher, '/api/admin/members')).members;
}

/** Changes a member's role or status; throws ApiError (FORBIDDEN, LAST_ADMIN, …). */
export async function changeMember(
	fetcher: typeof fetch,
	id: string,
	change: RequestOf<typeof MemberChangeBody>
): Promise<MemberChangeResponse> {
	return api<MemberChangeResponse>(fetcher, `/api/admin/members/${encodeURIComponent(id)}`, {
		method: 'PATCH',
		json: change
	});
}

/** Sends the member a re-enrolment link for their own account; throws ApiError (CONTACT_MISSING, …). */
export async function issueRecovery(
	fetcher: typeof fetch,
	id: string,
	keepPasskeys: boolean
): Promise<InviteCreated> {
	return api<InviteCreated>(fetcher, `/api/admin/members/${encodeURIComponent(id)}/recovery`, {
		method: 'POST',
		json: { keepPasskeys } satisfies RequestOf<typeof RecoveryBody>
	});
}

/** The words for each role, in the user's language. */
export const roleLabel: Record<MemberRole, () => string> = {
	admin: m.members_role_admin,
	seal_keeper: m.members_role_seal_keeper,
	signer: m.members_role_signer
};
