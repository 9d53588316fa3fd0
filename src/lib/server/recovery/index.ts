// Account recovery: a re-enrolment link for an existing account, its identity check and what
// happens to the old passkeys. Built on the auth feature's invites; other code imports it here.
export { issueRecovery } from './issue';
export { redeemLink } from './redeem';
export { inviteLinkInfo } from './link-info';
