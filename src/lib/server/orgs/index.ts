// Organisation certification (组织机构认证): the feature's public functions, for endpoints and
// the other server features. Files inside orgs/ import each other directly.
export {
	SimulatedBank,
	simulatedBankPage,
	simulateOrgPayment,
	type BankTransfer,
	type OrgAccount,
	type PlatformAccount
} from './bank';
export {
	applyForCertification,
	certificationStatus,
	uploadLetter,
	type CertDeps
} from './certification';
export { confirmDeposit, noteOrgPayment, startOrgDeposit, startPlatformDeposit } from './deposit';
export { orgCertState, orgCertStateRead, refuseUnlessCertified } from './gate';
export { isPlatformOperator } from './operator';
export { createOrganisation, listOrganisations, operatorOutbox } from './create-org';
export { hasActivePasskey, legalRepRedeem, requestLegalRep, type LegalRepDeps } from './legal-rep';
export {
	certifyAsLegalRep,
	confirmLegalRep,
	issueLegalRepManifest,
	legalRepRequest
} from './legal-rep-confirm';
export { applicationFile, certificationQueue, decideCertification } from './review';
