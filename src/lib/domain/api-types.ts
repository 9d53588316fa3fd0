import type { Envelope, Field, PageSize, Party, SigningOrder } from './envelope';
import type { ReadinessProblem, TemplateField } from './field-layout';
import type { Manifest } from './manifest';

/**
 * Shapes of the JSON the API returns, shared by server endpoints and browser code so the two
 * cannot drift apart silently.
 */
export interface SessionUser {
	id: string;
	name: string;
	role: 'admin' | 'signer';
}

export interface SessionResponse {
	user: SessionUser | null;
}

export type EnvelopeStatus = 'draft' | 'sent' | 'completed' | 'revoked';

export interface ContractSummary {
	id: string;
	title: string;
	pageCount: number;
	size: number;
	revision: number;
	status: EnvelopeStatus;
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
}

export interface PasskeyResponse {
	passkey: PasskeySummary;
}

export interface LoginResponse {
	user: SessionUser;
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
}

export interface InvitesResponse {
	invites: InviteSummary[];
}

/** POST /api/admin/invites: the link only; the code travels through the notifier alone. */
export interface InviteCreated {
	inviteId: string;
	link: string;
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
	createdAt: string;
}

export interface InboxResponse {
	items: InboxItem[];
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

export interface MySealsResponse {
	seals: MySeal[];
	/** SHA-256 of the user's saved signature PNG, or null when none is saved. */
	defaultSignature: string | null;
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
	revision: number;
	docHash: string;
	deadline: string | null;
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
}

export interface ContractDetailResponse {
	contract: ContractDetail;
}

/** POST /api/admin/contracts (201). */
export interface ContractCreated {
	id: string;
}

/** POST /api/admin/contracts/[id]/send: who was invited and who was told. */
export interface ContractSent {
	invited: number;
	notified: number;
	/** Signers whose notification could not be delivered (the contract is sent regardless). */
	notifyFailed: number;
}

/** PUT /api/admin/contracts/[id]/document: the new revision and the fields that did not fit. */
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
}

export interface OrgUsersResponse {
	users: OrgUser[];
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
