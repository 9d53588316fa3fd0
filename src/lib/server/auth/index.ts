// Who someone is and what proves it: the auth feature's public functions, for endpoints and the
// other server features. Files inside auth/ import each other directly.
export { issueSetupToken, redeemSetupToken } from './setup-link';
export {
	createInvite,
	finishInvite,
	inviteMessage,
	writeInvite,
	normaliseContact,
	normaliseName,
	type BoundInvite,
	type InviteDeps,
	type InviteIssuer,
	type RedeemExtra
} from './invites';
export { listInvites, listOutbox } from './invite-list';
export { redeemInvite } from './invite-redeem';
export { resendInviteCode } from './invite-resend';
export { inviteDeps } from './invite-deps';
export { hashIdNumber, idNumberMatches, profileOf, saveDetails } from './profile';
export * from './certification';
export {
	bindSessionCredential,
	createSession,
	deleteSession,
	markSessionVerified,
	needsPasskeyCheck,
	sessionCookieName,
	sessionFor,
	sessionUser,
	startSession,
	SESSION_IDLE_HOURS,
	type LiveSession
} from './sessions';
export { hashToken, newToken } from './tokens';
export * from './passkeys';
export { TICKET_POOL_SIZE, topUpTickets } from './tickets';
export { appendAuthEvent } from './auth-events';
export { codeLoginMessage, memberAtContact, requestLoginCode } from './code-login';
export { verifyLoginCode } from './code-login-verify';
export {
	joinAsPerson,
	membershipsOf,
	personOf,
	personRowsOf,
	signingMembership,
	switchMembership
} from './people';
