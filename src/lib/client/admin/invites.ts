import { m } from '$lib/paraglide/messages';
import type { ResidentIdProblem } from '$lib/domain/validators';
import type {
	InviteCreated,
	InviteLinkInfo,
	InvitesResponse,
	OutboxResponse,
	Profile,
	ProfileResponse
} from '$lib/domain/api-types';
import { api, ApiError } from '../api';
import { errorMessage } from '../error-message';
import { formatDateTime } from '../i18n.svelte';
import { INVITE_CODE_TTL_MINUTES } from '$lib/domain/invite';
import type {
	RequestOf,
	DetailsBody,
	InviteBody,
	RedeemBody,
	ResendCodeBody
} from '$lib/domain/api-requests';

const idProblems: Record<ResidentIdProblem, () => string> = {
	LENGTH: m.id_problem_LENGTH,
	FORMAT: m.id_problem_FORMAT,
	REGION: m.id_problem_REGION,
	DATE: m.id_problem_DATE,
	FUTURE_DATE: m.id_problem_FUTURE_DATE,
	CHECK: m.id_problem_CHECK
};

/** The message for one reason a resident ID number is refused (shared by inline and server checks). */
export function idProblemMessage(reason: ResidentIdProblem): string {
	return idProblems[reason]();
}

/**
 * errorMessage, made precise with the facts the server sent: attempts left after a wrong code,
 * which check an ID number failed. Falls back to the code's message for anything else.
 */
export function inviteErrorMessage(error: unknown): string {
	if (error instanceof ApiError) {
		const { attemptsLeft, reason } = error.details;
		if (error.code === 'CODE_INVALID' && typeof attemptsLeft === 'number') {
			return m.code_attempts_left({ count: attemptsLeft });
		}
		if (error.code === 'ID_NUMBER_WRONG' && typeof attemptsLeft === 'number') {
			return m.recovery_id_attempts_left({ count: attemptsLeft });
		}
		if (error.code === 'ID_NUMBER_INVALID' && typeof reason === 'string' && reason in idProblems) {
			return idProblemMessage(reason as ResidentIdProblem);
		}
	}
	return errorMessage(error);
}

/**
 * Spends the invite link with its code (and, for a re-enrolment link of a certified account,
 * the ID number); on success the browser holds the invitee's session.
 */
export async function redeemInvite(
	fetcher: typeof fetch,
	token: string,
	code: string,
	idNumber?: string
) {
	// signIn: a legal representative who already has a passkey signs in with it (SPEC LR2).
	return api<{ ok: true; signIn?: boolean }>(fetcher, '/api/invites/redeem', {
		method: 'POST',
		json: { token, code, idNumber } satisfies RequestOf<typeof RedeemBody>
	});
}

/** What the link is for (an invitation or a re-enrolment), asked before the code. */
export async function inviteLinkInfo(fetcher: typeof fetch, token: string) {
	return api<InviteLinkInfo>(fetcher, '/api/invites/info', {
		method: 'POST',
		json: { token } satisfies RequestOf<typeof ResendCodeBody>
	});
}

/**
 * Asks for a new code for the invite link. Answers the seconds until another may be asked for;
 * an early ask throws ApiError RATE_LIMITED whose details carry `retryAfterSeconds`.
 */
export async function resendInviteCode(fetcher: typeof fetch, token: string) {
	return api<{ ok: true; expiresAt: string; resendAfterSeconds: number }>(
		fetcher,
		'/api/invites/resend',
		{ method: 'POST', json: { token } satisfies RequestOf<typeof ResendCodeBody> }
	);
}

/** Saves the signed-in user's real name and resident ID number. */
export async function saveDetails(
	fetcher: typeof fetch,
	realName: string,
	idNumber: string
): Promise<Profile> {
	const { profile } = await api<ProfileResponse>(fetcher, '/api/me/details', {
		method: 'POST',
		json: { realName, idNumber } satisfies RequestOf<typeof DetailsBody>
	});
	return profile;
}

/** Admin: invites a signer; answers the link (the code goes only through the notifier). */
export function createInvite(fetcher: typeof fetch, name: string, contact: string) {
	return api<InviteCreated>(fetcher, '/api/admin/invites', {
		method: 'POST',
		json: { name, contact } satisfies RequestOf<typeof InviteBody>
	});
}

/**
 * What the admin reads once an invite is sent: where the code went, and how long (until when)
 * the link and code work, so they can tell an invitee who waited too long to ask again.
 */
export function inviteSentNote(created: Pick<InviteCreated, 'expiresAt'>): string {
	return m.invites_created({
		minutes: INVITE_CODE_TTL_MINUTES,
		time: formatDateTime(created.expiresAt)
	});
}

/** Admin: the organisation's invites with their status. */
export async function listInvites(fetcher: typeof fetch) {
	return (await api<InvitesResponse>(fetcher, '/api/admin/invites')).invites;
}

/** Admin: the console outbox. */
export async function listOutbox(fetcher: typeof fetch) {
	return (await api<OutboxResponse>(fetcher, '/api/admin/outbox')).messages;
}
