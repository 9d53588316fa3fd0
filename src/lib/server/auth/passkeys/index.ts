// Passkeys, one step per file: the ceremonies' challenges, registration, login, the assertion
// check that login and signature ingest share, and a user's management of their passkeys.
export {
	CHALLENGE_TTL_MS,
	PASSKEY_NAME_MAX,
	RP_NAME,
	normalisePasskeyName,
	passkeyDeps,
	type PasskeyDeps
} from './common';
export { consumeChallenge, issueChallenge, rpIdFor } from './challenges';
export { registrationOptions, verifyRegistration } from './register';
export { authenticationOptions, verifyAuthentication } from './login';
export { assertionUserVerified, checkAssertion } from './assertion';
export { enrolledUsers, listPasskeys, renamePasskey, revokePasskey, type Revoked } from './manage';
