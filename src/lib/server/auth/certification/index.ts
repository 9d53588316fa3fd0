// Personal certification (SPEC PC): consent, document checks, the identity provider adapter and
// the level stored per user.
export { certificationOptions, certify, recordConsent, type CertificationDeps } from './certify';
export { certificationAnswer, type CertifyStep } from './certify-request';
export { certificationOf, type CertificationColumns } from './summary';
export {
	identityVerifierFor,
	simulatedVerifier,
	SIMULATED_MISMATCH_NAME,
	type IdentityAnswer,
	type IdentityRequest,
	type IdentityVerifier
} from './verifier';
