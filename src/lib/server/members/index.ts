// The members of an organisation: their roles and deactivation. Other features import members
// through this file.
export { listMembers } from './list';
export { changeMember, type MemberDeps } from './change';
export { endSessionsAndTickets } from './end-access';
