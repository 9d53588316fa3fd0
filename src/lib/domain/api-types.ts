import type { CertState } from './org-certification';
import type { InvitePurpose } from './recovery';
import type { LegalRepManifest } from './legal-rep';
import type { MemberRole } from './members';
import type { Envelope, Field, PageSize, Party, SigningOrder } from './envelope';
import type { ReviewDecision, ReviewStatus } from './review';
import type { ReadinessProblem, TemplateField } from './field-layout';
import type { Manifest, SealMark } from './manifest';
import type { AuditRow, BreakReason } from './audit';
import type { SealSpec } from './seal-svg';
import type { ReminderPlan } from './deadline';
import type {
	CertificationLevel,
	CertificationMethod,
	DocumentType,
	ProviderMethod
} from './personal-certification';

/**
 * Shapes of the JSON the API returns, shared by server endpoints and browser code so the two
 * cannot drift apart silently.
 */
export interface SessionUser {
	id: string;
	name: string;
	role: 'admin' | 'signer';
	/** A signer who also keeps the organisation's seals (MB1): the seal pages are theirs too. */
	sealKeeper: boolean;
}

export interface SessionResponse {
	user: SessionUser | null;
	/**
	 * The organisations the signed-in person may work in (SPEC MO2), the current one marked;
	 * one entry for a person of one organisation, empty when signed out.
	 */
	memberships?: Membership[];
}

/** One organisation a person belongs to: the membership (user row) that acts there. */
export interface Membership {
	userId: string;
	orgId: string;
	orgName: string;
	orgNameEn: string;
	role: 'admin' | 'signer';
	current: boolean;
}

import type { ContractState, EnvelopeStatus } from './lifecycle';
export type { ContractState, EnvelopeStatus } from './lifecycle';

export interface ContractSummary {
	id: string;
	title: string;
	pageCount: number;
	size: number;
	revision: number;
	status: EnvelopeStatus;
	/** The state every party sees (SPEC LC1). */
	state: ContractState;
	createdAt: string;
}

export interface ContractsResponse {
	contracts: ContractSummary[];
}

/** A passkey as its owner sees it on the passkeys page; never the key material. */
export interface PasskeySummary {
	id: string;
	name: string;
	createdAt: string;
	lastUsedAt: string | null;
	/** Whether the authenticator says the passkey is synced (e.g. iCloud Keychain). */
	backedUp: boolean;
}

export interface PasskeysResponse {
	passkeys: PasskeySummary[];
	/** The passkey this session was signed in with (revoking it signs this device out). */
	currentId: string | null;
}

export interface PasskeyRevokedResponse {
	ok: true;
	/** The revoked passkey was this session's own: the session has ended. */
	signedOut: boolean;
}

export interface PasskeyResponse {
	passkey: PasskeySummary;
}

export interface LoginResponse {
	user: SessionUser;
}

/**
 * The answer to asking for a sign-in code (CL2): the same whether or not the contact is a
 * member's, so it says only when another code may be asked for.
 */
export interface CodeLoginRequested {
	resendAfterSeconds: number;
}

// tickets and submissions

/** A device's pool of challenge tickets for one credential (POST /api/tickets). */
export interface TicketPool {
	tickets: { id: string; nonce: string; expiresAt: string }[];
	/** How many offline signatures this credential can still confirm. */
	remaining: number;
	/** When the first of them expires; null for an empty pool. */
	until: string | null;
}

/** The answer to an accepted submission (POST /api/submissions, 201). */
export interface SubmissionAccepted {
	submissionId: string;
	manifestHash: string;
	envelopeStatus: EnvelopeStatus;
	receivedAt: string;
}

/** A refused submission: the error body plus every rule the manifest broke. */
export interface SubmissionRefused {
	error: { code: string; message: string };
	problems?: { code: string; rule: string; path: string }[];
}

/** An envelope as its participants see it (GET /api/envelopes/[id]). */
export interface EnvelopeResponse {
	envelope: Envelope;
	accepted: Manifest[];
	/** The envelope's signer ids that are the requesting user: whose fields the device walks. */
	mySignerIds: string[];
}

// invites and codes

export type InviteStatus = 'pending' | 'redeemed' | 'locked' | 'expired';

/** An invite as the admin list shows it; never the token or the code. */
export interface InviteSummary {
	id: string;
	name: string;
	contact: string;
	channel: 'console' | 'smtp' | 'sms';
	status: InviteStatus;
	attempts: number;
	createdAt: string;
	expiresAt: string;
	/** 'recover' for a re-enrolment link of an existing account (SPEC RC1). */
	purpose: InvitePurpose;
}

export interface InvitesResponse {
	invites: InviteSummary[];
}

/** POST /api/admin/invites: the link only; the code travels through the notifier alone. */
export interface InviteCreated {
	inviteId: string;
	link: string;
	/** When the link and code stop working (ISO), for the admin to pass on. */
	expiresAt: string;
}

/** What an invite link is for, asked by its page before the code (POST /api/invites/info). */
export interface InviteLinkInfo {
	purpose: InvitePurpose;
	/** A re-enrolment of a certified account: the ID number is asked with the code. */
	idNumberRequired: boolean;
}

/** A console-channel message, listed for admins (the pilot's stand-in for mail and SMS). */
export interface OutboxEntry {
	id: string;
	recipient: string;
	subject: string;
	body: string;
	createdAt: string;
}

export interface OutboxResponse {
	messages: OutboxEntry[];
}

/** The signed-in user's own profile (GET /api/me); the ID number only ever masked. */
export interface Profile {
	id: string;
	name: string;
	role: 'admin' | 'signer';
	realName: string | null;
	idNumberMasked: string | null;
	verifiedAt: string | null;
	certification: CertificationSummary;
	/** The consent version this user agreed to and when (PC7); null before any. */
	consent: { version: string; at: string } | null;
}

/** A person's certification as shown to them and to their admin (PC6, PC9); never the number. */
export interface CertificationSummary {
	level: CertificationLevel;
	method: CertificationMethod;
	documentType: DocumentType | null;
	/** The provider's name, `simulated` for the development adapter, null without a provider. */
	provider: string | null;
	at: string | null;
	/** True when the provider was the simulated adapter: every view labels it (PC6). */
	simulated: boolean;
}

/** What GET /api/me/certification answers: the current consent text version and reachable level. */
export interface CertificationOptions {
	consentVersion: string;
	highestLevel: CertificationLevel;
	/** The provider methods this server offers, and whether its provider is the simulation. */
	methods: ProviderMethod[];
	simulated: boolean;
}

export interface ProfileResponse {
	profile: Profile;
}

// device store and inbox

/** The signed-in user's own decision on an envelope, from their accepted submissions. */
export type MyState = 'pending' | 'signed' | 'rejected';

/** An envelope the user signs, as GET /api/inbox lists it: enough for a card and a download. */
export interface InboxItem {
	id: string;
	title: string;
	status: EnvelopeStatus;
	revision: number;
	docHash: string;
	pageCount: number;
	/** Bytes of the original PDF: what a download will cost. */
	size: number;
	myState: MyState;
	/** The state every party sees (SPEC LC1); absent on a device copy saved by an older version. */
	state?: ContractState;
	createdAt: string;
	/**
	 * SHA-256 of the signed final PDF once the contract is finalised (SPEC C4), else null. The
	 * server always sends it; a device copy saved by an older version lacks it.
	 */
	finalSha256?: string | null;
	/**
	 * When signing closes (SPEC DL1), computed by the server, or null without a deadline. Optional
	 * like finalSha256: older device copies lack it.
	 */
	deadlineAt?: string | null;
	/**
	 * Who sent it, for the details page: the organisation and the admin who created it (null for
	 * the seeded demo). Optional like deadlineAt: older device copies lack it.
	 */
	sender?: { organisation: string; organisationEn: string; person: string | null };
	/** The organisation the contract belongs to (SPEC MO8). Optional: older device copies lack it. */
	orgId?: string;
	/**
	 * The contract's reminder plan (SPEC DL6), so the device can mark it due soon offline (DS1);
	 * null without one. Optional: older device copies lack it.
	 */
	reminders?: ReminderPlan | null;
}

export interface InboxResponse {
	items: InboxItem[];
	/** The organisation of the signed-in membership (SPEC MO8); absent from older servers. */
	orgId?: string;
}

// seals and saved signature on the device

/** A seal the signed-in user may stamp with (GET /api/me/seals); the PNG is at /api/blobs/[image]. */
export interface MySeal {
	id: string;
	name: string;
	shape: 'round' | 'oval' | 'square';
	sizeMm: { width: number; height: number };
	/** SHA-256 of the transparent PNG. */
	image: string;
}

/** A seal of the organisation as the admin seal page lists it (GET /api/admin/seals). */
export interface AdminSeal extends MySeal {
	status: 'active' | 'disabled';
	/** The SealSpec of a generated seal, kept so it can be edited and regenerated; null for a photo. */
	spec: SealSpec | null;
	createdAt: string;
	/** Users holding an unrevoked authorisation. */
	authorised: { userId: string; displayName: string; grantedAt: string }[];
	/**
	 * Stored submissions that stamp with this seal (seal fields, free seals, riding seams), each
	 * counted once whatever its review status (SPEC SA7).
	 */
	usageCount: number;
}

export interface AdminSealsResponse {
	seals: AdminSeal[];
	/**
	 * The organisation's registered name (the default text of a new round or oval seal) and its
	 * certification state: seals are made and authorised only once it is certified (SPEC OC5).
	 */
	organisation: { name: string; certState: 'uncertified' | 'pending' | 'certified' | 'rejected' };
}

/** One use of a seal: a stored submission that stamps with it (GET /api/admin/seals/[id]/uses). */
export interface SealUseItem {
	submissionId: string;
	contract: { id: string; title: string };
	signerName: string;
	/** How the manifest stamps with the seal, in manifest order (SPEC SA7). */
	marks: SealMark[];
	/** The device's clock when the signer confirmed: evidence, never trusted for order. */
	deviceTime: string;
	receivedAt: string;
	/** The submission's review status (RV2): accepted, flagged or reviewed-ok. */
	status: ReviewStatus;
}

/** A page of a seal's usage history, newest receipt first; `nextCursor` null on the last page. */
export interface SealUsesResponse {
	uses: SealUseItem[];
	nextCursor: string | null;
}

export interface MySealsResponse {
	seals: MySeal[];
	/** SHA-256 of the user's saved signature PNG, or null when none is saved. */
	defaultSignature: string | null;
	/**
	 * The organisation's certification state (SPEC OC5): the device keeps it to explain, offline,
	 * why company seals cannot be used, and refuses its own stamps before the passkey when not
	 * certified. Absent from servers older than certification.
	 */
	orgCertState?: 'uncertified' | 'pending' | 'certified' | 'rejected';
}

/** PUT /api/me/signature: the SHA-256 of the saved signature PNG, now the user's default. */
export interface SavedSignatureResponse {
	image: string;
}

// device sync

/** POST /api/blobs/missing: which of the named images the server does not hold. */
export interface BlobsMissingResponse {
	missing: string[];
}

/** An envelope a device may hold a copy of, with the others' accepted manifests. */
export interface PulledEnvelope {
	envelope: Envelope;
	/** Every accepted manifest in acceptance order, replacing the device's list. */
	accepted: Manifest[];
	mySignerIds: string[];
}

/**
 * GET /api/sync/pull?cursor=…: the user's envelopes changed since the cursor (inbox metadata for
 * each, the definition and accepted manifests for those prepared for signing) and the cursor to
 * send next time. `more` asks the device to pull again at once (the answer was capped).
 */
export interface SyncPullResponse {
	items: InboxItem[];
	envelopes: PulledEnvelope[];
	cursor: string;
	more: boolean;
}

// audit trail

/** One row of the audit trail as the admin page shows it. */
export interface AuditEntry {
	seq: number;
	at: string;
	kind: string;
	actor: string | null;
	/** The actor's display name, when the actor is a known user. */
	actorName: string | null;
	subject: string | null;
	data: Record<string, unknown>;
	hash: string;
}

/**
 * The signed head of the whole chain (SPEC A10): its last seq and hash, and the HMAC-SHA-256 (hex)
 * of `auditAnchorText(seq, hash)` with the audit key held outside the database.
 */
export interface AuditAnchor {
	seq: number;
	hash: string;
	mac: string;
	at: string;
}

/** GET /api/admin/audit: newest first; pass nextCursor as `cursor` for the next (older) page. */
export interface AuditPageResponse {
	entries: AuditEntry[];
	nextCursor: number | null;
	/** The signed head of the chain, null before the server first signed one. */
	head: AuditAnchor | null;
}

/** POST /api/admin/audit/verify (SPEC A5, A6, A10). */
export interface AuditVerifyResponse {
	ok: boolean;
	checked: number;
	firstBroken: { seq: number; reason: BreakReason } | null;
	/** The stored signed head that was checked, as found. */
	anchor: AuditAnchor | null;
}

/**
 * One row of an audit export (SPEC A11): the organisation's own rows in full; every other row
 * only as its link (seq, prevHash, hash), so the chain can be followed end to end without
 * showing another organisation's events.
 */
export type AuditExportRow =
	AuditRow | (Pick<AuditRow, 'seq' | 'prevHash' | 'hash'> & { redacted: true });

/** GET /api/admin/audit/export (SPEC A11). */
export interface AuditExport {
	format: 'sealpass-audit-export/1';
	exportedAt: string;
	orgId: string;
	/** The signed head; anyone who keeps an export can later see rows cut after it. */
	head: AuditAnchor | null;
	rows: AuditExportRow[];
}

// review of synced signatures (SPEC RV)

/** One row of GET /api/admin/submissions: a stored submission or a refused attempt. */
export interface ReviewListItem {
	id: string;
	/** Null for a refused attempt: nothing was stored, there is no detail to open. */
	submissionId: string | null;
	envelopeId: string | null;
	contractTitle: string | null;
	userId: string;
	signerName: string;
	receivedAt: string;
	status: ReviewStatus;
	decision: 'signed' | 'rejected' | null;
	/** SPEC RV1; null for a refusal. */
	offline: boolean | null;
	/** The refusal code of a refused attempt. */
	code: string | null;
}

/** A page of the review list, newest first; `nextCursor` is null on the last page. */
export interface ReviewListResponse {
	items: ReviewListItem[];
	nextCursor: string | null;
}

/** The choices of the list's filters: the organisation's contracts and signers. */
export interface ReviewFacetsResponse {
	contracts: { id: string; title: string }[];
	signers: { id: string; name: string }[];
}

/** One mark a manifest draws, with where it is drawn (page numbers are 1-based, PDF points). */
export type ReviewMark =
	| {
			type: 'fill';
			kind: 'signature' | 'seal' | 'date';
			fieldId: string;
			page: number;
			rect: { x: number; y: number; width: number; height: number };
			image: string | null;
			text: string | null;
			sealId: string | null;
	  }
	| {
			type: 'free-seal';
			sealId: string;
			page: number;
			centre: { x: number; y: number };
			sizeMm: { width: number; height: number };
			image: string;
	  }
	| {
			type: 'riding-seam';
			sealId: string;
			pages: 'all' | number[];
			edge: 'left' | 'right';
			position: number;
			sizeMm: { width: number; height: number };
			image: string;
	  };

/** A review decision as the detail page lists it. */
export interface ReviewDecisionEntry {
	decision: ReviewDecision;
	comment: string;
	adminName: string;
	at: string;
}

/** GET /api/admin/submissions/[id]: everything a reviewer judges one submission by. */
export interface ReviewDetail {
	id: string;
	seq: number;
	status: ReviewStatus;
	decision: 'signed' | 'rejected';
	rejectionReason: string | null;
	contract: { id: string; title: string; revision: number };
	signer: {
		userId: string;
		name: string;
		realName: string | null;
		signerId: string;
		/** The signer as the contract names them, and their party; null if it no longer does. */
		role: { name: string; party: string } | null;
	};
	credential: {
		id: string;
		name: string;
		deviceType: 'singleDevice' | 'multiDevice';
		/** The UV flag in the stored assertion's authenticator data. */
		userVerified: boolean;
		/** Backup eligibility and state in the stored assertion (BE, BS flags). */
		backupEligible: boolean;
		backedUp: boolean;
		/** The signature counter in the stored assertion, and the credential's counter now. */
		assertionCounter: number;
		currentCounter: number;
		revokedAt: string | null;
	};
	ticket: { id: string; issuedAt: string; expiresAt: string; usedAt: string | null };
	deviceTime: string;
	receivedAt: string;
	/** receivedAt − deviceTime in milliseconds (negative when the device clock ran ahead). */
	clockGapMs: number;
	offline: boolean;
	/** The device's report of having no network at confirmation (RV1); null when it sent none. */
	reportedOffline: boolean | null;
	marks: ReviewMark[];
	manifestJson: string;
	manifestHash: string;
	/** What ingest concluded when it stored the submission (it stores only verified ones). */
	ingest: { outcome: 'accepted'; at: string; userVerified: boolean };
	decisions: ReviewDecisionEntry[];
}

/** One step of a re-verification, in the order they run. */
export interface ReverifyCheck {
	check: 'manifest' | 'canonical' | 'hash' | 'binding' | 'signature' | 'user-verified' | 'seals';
	ok: boolean;
	detail: string;
}

/** POST /api/admin/submissions/[id]/verify: the stored evidence checked again from scratch. */
export interface ReverifyResult {
	ok: boolean;
	/** The first failing check's reason; null when everything verified. */
	reason: string | null;
	checks: ReverifyCheck[];
	at: string;
}

// contracts (admin)

/** A signer as the admin sees them: the domain signer plus how they are reached. */
export interface ContractSignerInfo {
	id: string;
	partyId: string;
	name: string;
	order: number;
	contact: string | null;
	/** The account confirming for this signer; null until a new person is invited on send. */
	userId: string | null;
	/** Whether that account has an active passkey (can sign once the contract is sent). */
	enrolled: boolean;
}

/** One signer's answer so far, from their accepted submission (times as recorded). */
export interface SignerProgress {
	signerId: string;
	state: MyState;
	/** The return (退回) reason, for a rejection. */
	reason: string | null;
	/** The time on the signer's device when they confirmed; may be days before receipt. */
	deviceTime: string | null;
	/** When the server received and accepted it. */
	receivedAt: string | null;
	/** The document revision the decision was made on. */
	revision: number | null;
}

/** GET /api/admin/contracts/[id]: everything the progress page and the field editor need. */
export interface ContractDetail {
	id: string;
	title: string;
	status: EnvelopeStatus;
	/** The state every party sees (SPEC LC1). */
	state: ContractState;
	revision: number;
	docHash: string;
	deadline: string | null;
	/** When signing closes (SPEC DL1), or null. */
	deadlineAt: string | null;
	/** The reminder plan (SPEC DL6), or null for none. */
	reminders: ReminderPlan | null;
	createdAt: string;
	sentAt: string | null;
	revokedAt: string | null;
	revokeReason: string | null;
	signingOrder: SigningOrder;
	pages: PageSize[];
	parties: Party[];
	signers: ContractSignerInfo[];
	fields: Field[];
	progress: SignerProgress[];
	/** SPEC L8: empty when the contract can be sent. */
	readiness: ReadinessProblem[];
	finalisation: Finalisation;
}

/**
 * Where a contract's signed final PDF stands (SPEC C3–C5): not complete yet, being made, held by
 * a flagged submission, failed (retries exhausted; the operator reads the server log), or done.
 */
export interface Finalisation {
	state: 'not-complete' | 'pending' | 'held' | 'failed' | 'done';
	/** SHA-256 of the final PDF, once done. */
	sha256: string | null;
	/** When it was finalised, once done. */
	at: string | null;
}

export interface ContractDetailResponse {
	contract: ContractDetail;
}

/** POST /api/admin/contracts (201). */
export interface ContractCreated {
	id: string;
}

/** POST /api/admin/contracts/[id]/send: who was invited and who was told. */
/** PUT /api/admin/contracts/[id]/deadline (SPEC DL5). */
export interface DeadlineChanged {
	deadline: string | null;
	deadlineAt: string | null;
}

export interface ContractSent {
	invited: number;
	notified: number;
	/** Signers whose notification could not be delivered (the contract is sent regardless). */
	notifyFailed: number;
	/** Later signers of a sequential contract: invited or notified when their turn comes. */
	waiting: number;
	/** Messages kept on the admin's outbox page because no mail or SMS service takes them. */
	held: number;
}

/** PUT /api/admin/contracts/[id]/document: the new revision and the fields that did not fit. */
/** POST /api/admin/contracts/[id]/resend: the revision the new round is for (SPEC LC5). */
export interface ContractResent {
	revision: number;
}

export interface ContractReplaced {
	revision: number;
	dropped: string[];
}

/** An account of the organisation an admin may name as a signer. */
export interface OrgUser {
	id: string;
	name: string;
	role: 'admin' | 'signer';
	/** The contact of their latest invite, if any. */
	contact: string | null;
	enrolled: boolean;
	certification: CertificationSummary;
}

export interface OrgUsersResponse {
	users: OrgUser[];
}

/** A member of the admin's organisation on the members page (SPEC MB1). */
export interface Member {
	id: string;
	name: string;
	role: MemberRole;
	/** The contact of their latest invite, if any. */
	contact: string | null;
	enrolled: boolean;
	active: boolean;
	deactivatedAt: string | null;
	/** Their personal certification (实名认证) level and how it was reached. */
	certification: CertificationSummary;
}

export interface MembersResponse {
	members: Member[];
}

/** The answer to a member change: what deactivation ended (zeros otherwise). */
export interface MemberChangeResponse {
	sessionsEnded: number;
	ticketsRevoked: number;
}

export interface FieldTemplateSummary {
	id: string;
	name: string;
	fields: TemplateField[];
	createdAt: string;
}

export interface FieldTemplatesResponse {
	templates: FieldTemplateSummary[];
}

/**
 * GET /api/admin/submissions/refusals: today's (UTC) submissions refused before their passkey
 * check, counted per signer and code rather than listed one by one.
 */
export interface PreAuthRefusalsResponse {
	day: string;
	items: { userId: string; userName: string; code: string; count: number; lastAt: string }[];
}

// organisation certification (SPEC OC)

/** An application as its applicant and the operator see it; the account shows masked (OC7). */
export interface OrgCertApplicationView {
	id: string;
	state: 'pending' | 'certified' | 'rejected';
	orgType: string;
	name: string;
	idNumber: string;
	representative: string;
	region: string | null;
	usccVerdict: 'valid' | 'suspect' | 'not_applicable';
	licenceType: string;
	privacyVersion: string;
	privacyAgreedAt: string;
	createdAt: string;
	method: 'deposit_platform' | 'deposit_org' | 'letter' | 'legal_rep' | null;
	/** Platform pays: where and when it was sent, how many tries are left. */
	deposit: {
		bank: string;
		branch: string;
		accountMasked: string;
		sentAt: string | null;
		triesLeft: number;
		expiresAt: string | null;
	} | null;
	/** Organisation pays: the remark code and when the payment arrived. */
	remarkCode: string | null;
	paymentReceivedAt: string | null;
	letterType: string | null;
	/** 法定代表人认证 (SPEC LR): whom the request went to and what they confirmed. */
	legalRep: LegalRepEvidenceView | null;
	verifiedAt: string | null;
	decidedAt: string | null;
	rejectReason: string | null;
}

export interface LegalRepEvidenceView {
	/** Where the link and code went. */
	contact: string;
	/** The representative's document number as the application knows it, masked. */
	idNumberMasked: string;
	/** The representative's certified name once they confirmed, else the application's. */
	name: string;
	confirmedAt: string | null;
	/** The first characters of the passkey's credential id that confirmed. */
	credentialShort: string | null;
	validUntil: string | null;
	/** Whether the confirmed authorisation still counts now (LR5). */
	current: boolean;
}

/** What the legal representative's page shows (SPEC LR): the request, then the manifest. */
export interface LegalRepRequestView {
	applicationId: string;
	organisation: { name: string; idNumber: string };
	applicantName: string;
	representative: string;
	/** Whether the signed-in person is certified as the named representative (LR3). */
	identified: boolean;
	/** The manifest to confirm, once identified and until confirmed. */
	manifest: LegalRepManifest | null;
	manifestHash: string | null;
	/** The signed-in person's active passkeys, the ones that may confirm. */
	credentialIds: string[];
	confirmedAt: string | null;
	validUntil: string | null;
}

export interface PlatformAccountView {
	accountName: string;
	bank: string;
	branch: string;
	account: string;
}

export interface OrgCertStatusResponse {
	state: 'uncertified' | 'pending' | 'certified' | 'rejected';
	certifiedAt: string | null;
	organisation: { name: string };
	/** The latest application, if any. */
	application: OrgCertApplicationView | null;
	/** The bank adapter is a simulation (labelled wherever it appears). */
	bankSimulated: boolean;
	platformAccount: PlatformAccountView;
	/** The privacy terms' current version, which the form's consent names. */
	privacyVersion: string;
	/** Whether the signed-in user is the platform operator (may open the review queue). */
	operator: boolean;
}

export interface OrgCertQueueItem extends OrgCertApplicationView {
	orgId: string;
	applicantName: string;
}

/** One organisation on the platform operator's list (GET /api/operator/organisations, OC11). */
export interface OperatorOrgSummary {
	id: string;
	name: string;
	nameEn: string;
	certState: CertState;
	/** People of the organisation not deactivated, invited ones not yet enrolled included. */
	members: number;
	createdAt: string;
}

export interface OperatorOrgsResponse {
	organisations: OperatorOrgSummary[];
	/**
	 * Console messages to the people the operator invited into other organisations: how a pilot
	 * without mail or SMS hands a new organisation's administrator their link and code.
	 */
	outbox: OutboxEntry[];
}

/** POST /api/operator/organisations: the organisation and its administrator's invitation. */
export interface OrganisationCreated {
	orgId: string;
	inviteId: string;
	expiresAt: string;
}

export interface OrgCertQueueResponse {
	items: OrgCertQueueItem[];
	bankSimulated: boolean;
}

export interface SimBankTransferView {
	id: string;
	direction: 'to_org' | 'to_platform';
	account: string;
	accountName: string;
	amount: string;
	remark: string;
	createdAt: string;
}

export interface SimBankResponse {
	simulated: true;
	transfers: SimBankTransferView[];
	platformAccount: PlatformAccountView;
}
