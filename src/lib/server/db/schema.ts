import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { StoredStatus } from '$lib/domain/lifecycle';
import type { InvitePurpose } from '$lib/domain/recovery';
import type { CertState } from '$lib/domain/org-certification';
import type {
	CertificationLevel,
	CertificationMethod,
	DocumentType
} from '$lib/domain/personal-certification';

/**
 * The database as Kysely sees it. Times are ISO-8601 UTC strings: they sort correctly as text
 * and read back identically from SQLite and PostgreSQL (bigint would come back as a string
 * from pg and a number from SQLite).
 */
export interface Database {
	organisations: OrganisationTable;
	users: UserTable;
	setup_tokens: SetupTokenTable;
	sessions: SessionTable;
	blobs: BlobTable;
	envelopes: EnvelopeTable;
	credentials: CredentialTable;
	webauthn_challenges: WebauthnChallengeTable;
	// tickets and submissions
	envelope_signers: EnvelopeSignerTable;
	seal_authorisations: SealAuthorisationTable;
	tickets: TicketTable;
	submissions: SubmissionTable;
	idempotency_keys: IdempotencyKeyTable;
	submission_events: SubmissionEventTable;
	// seals and saved signatures
	seals: SealTable;
	// invites and codes
	server_secrets: ServerSecretTable;
	invites: InviteTable;
	notifications: NotificationTable;
	auth_events: AuthEventTable;
	// device sync (migration 0006)
	sync_clock: SyncClockTable;
	// audit trail (migration 0007)
	audit_log: AuditLogTable;
	// review of synced signatures (migration 0008)
	review_items: ReviewItemTable;
	review_decisions: ReviewDecisionTable;
	// contracts (migration 0009)
	contract_signers: ContractSignerTable;
	field_templates: FieldTemplateTable;
	envelope_revisions: EnvelopeRevisionTable;
	// seal usage (migration 0010)
	seal_uses: SealUseTable;
	// seal image versions (migration 0012)
	seal_versions: SealVersionTable;
	// signed audit head and server key checks (migration 0013)
	audit_anchor: AuditAnchorTable;
	secret_checks: SecretCheckTable;
	// request hardening (migration 0014)
	refusal_counts: RefusalCountTable;
	envelope_views: EnvelopeViewTable;
	// finalisation (migration 0015)
	jobs: JobTable;
	// shared state for several app servers (migration 0018)
	rate_limits: RateLimitTable;
	// organisation certification (migration 0020)
	org_cert_applications: OrgCertApplicationTable;
	sim_bank_transfers: SimBankTransferTable;
	// signing in with a code (migration 0028)
	login_codes: LoginCodeTable;
}

export interface OrganisationTable {
	id: string;
	name: string;
	name_en: string;
	created_at: string;
	/** 组织机构认证 (SPEC OC3); only `certified` may make, authorise and stamp seals (OC5). */
	cert_state: ColumnType<CertState, CertState | undefined, CertState>;
	certified_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One certification application with its verification evidence (migration 0020). */
export interface OrgCertApplicationTable {
	id: string;
	org_id: string;
	state: 'pending' | 'certified' | 'rejected';
	org_type: string;
	name: string;
	id_number: string;
	representative: string;
	region: string | null;
	uscc_verdict: string;
	licence_hash: string;
	licence_type: string;
	privacy_version: string;
	privacy_agreed_at: string;
	applicant_id: string;
	created_at: string;
	method: ColumnType<string | null, string | null | undefined, string | null>;
	bank_name: ColumnType<string | null, string | null | undefined, string | null>;
	bank_branch: ColumnType<string | null, string | null | undefined, string | null>;
	bank_account: ColumnType<string | null, string | null | undefined, string | null>;
	bank_cnaps: ColumnType<string | null, string | null | undefined, string | null>;
	/** SHA-256 of the application id and the amount in cents; the amount itself is never kept. */
	deposit_hash: ColumnType<string | null, string | null | undefined, string | null>;
	deposit_sent_at: ColumnType<string | null, string | null | undefined, string | null>;
	deposit_tries: Generated<number>;
	remark_code: ColumnType<string | null, string | null | undefined, string | null>;
	payment_received_at: ColumnType<string | null, string | null | undefined, string | null>;
	letter_hash: ColumnType<string | null, string | null | undefined, string | null>;
	letter_type: ColumnType<string | null, string | null | undefined, string | null>;
	/** When the chosen method produced its evidence (SPEC OC4). */
	verified_at: ColumnType<string | null, string | null | undefined, string | null>;
	decided_at: ColumnType<string | null, string | null | undefined, string | null>;
	decided_by: ColumnType<string | null, string | null | undefined, string | null>;
	reject_reason: ColumnType<string | null, string | null | undefined, string | null>;
	/** 法定代表人认证 (0026): where the representative was asked, and who they must be. */
	rep_contact: ColumnType<string | null, string | null | undefined, string | null>;
	rep_document_type: ColumnType<string | null, string | null | undefined, string | null>;
	/** Keyed hash of the representative's document number, as personal certification stores. */
	rep_id_hash: ColumnType<string | null, string | null | undefined, string | null>;
	rep_id_masked: ColumnType<string | null, string | null | undefined, string | null>;
	rep_user_id: ColumnType<string | null, string | null | undefined, string | null>;
	rep_invite_id: ColumnType<string | null, string | null | undefined, string | null>;
	/** The manifest issued to the representative (canonical JSON), then the one they confirmed. */
	rep_manifest: ColumnType<string | null, string | null | undefined, string | null>;
	/** The passkey assertion over the manifest (JSON), the method's evidence. */
	rep_assertion: ColumnType<string | null, string | null | undefined, string | null>;
	rep_credential_id: ColumnType<string | null, string | null | undefined, string | null>;
	rep_confirmed_at: ColumnType<string | null, string | null | undefined, string | null>;
	/** The authorisation counts until then (SPEC LR5). */
	rep_expires_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The simulated bank's ledger (development and tests only; SPEC OC10). */
export interface SimBankTransferTable {
	id: string;
	direction: 'to_org' | 'to_platform';
	account: string;
	account_name: string;
	amount_cents: number;
	remark: string;
	created_at: string;
}

export interface UserTable {
	id: string;
	org_id: string;
	display_name: string;
	role: 'admin' | 'signer';
	created_at: string;
	// invites and codes: personal details (never the raw ID number)
	real_name: ColumnType<string | null, string | null | undefined, string | null>;
	id_number_masked: ColumnType<string | null, string | null | undefined, string | null>;
	id_number_hash: ColumnType<string | null, string | null | undefined, string | null>;
	verified_at: ColumnType<string | null, string | null | undefined, string | null>;
	// seals: SHA-256 of the saved signature PNG in the blob store (migration 0005)
	default_signature: ColumnType<string | null, string | null | undefined, string | null>;
	// members (migration 0022): the seal-keeper mark beside the role, and deactivation
	seal_keeper: ColumnType<number, number | undefined, number>;
	deactivated_at: ColumnType<string | null, string | null | undefined, string | null>;
	// personal certification (migration 0021, SPEC PC): level, evidence and consent
	cert_level: ColumnType<CertificationLevel, CertificationLevel | undefined, CertificationLevel>;
	cert_method: ColumnType<
		CertificationMethod,
		CertificationMethod | undefined,
		CertificationMethod
	>;
	cert_document_type: ColumnType<
		DocumentType | null,
		DocumentType | null | undefined,
		DocumentType | null
	>;
	/** The identity provider's name, `simulated` for the development adapter (PC6). */
	cert_provider: ColumnType<string | null, string | null | undefined, string | null>;
	cert_reference: ColumnType<string | null, string | null | undefined, string | null>;
	cert_at: ColumnType<string | null, string | null | undefined, string | null>;
	consent_version: ColumnType<string | null, string | null | undefined, string | null>;
	consent_at: ColumnType<string | null, string | null | undefined, string | null>;
	/**
	 * The person this membership belongs to (migration 0029, SPEC MO1): the id of their first
	 * row. Null on a row inserted without it, which is then a person of its own (personOf).
	 */
	person_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SetupTokenTable {
	id: string;
	/** SHA-256 (hex) of the token; the token itself is only ever printed, never stored. */
	token_hash: string;
	user_id: string;
	created_at: string;
	used_at: string | null;
	/** Set when a newer link replaces this one before it was used. */
	revoked_at: string | null;
}

export interface SessionTable {
	/** SHA-256 (hex) of the cookie value, so a database leak yields no live session. */
	id_hash: string;
	user_id: string;
	/**
	 * The passkey the session was signed in with (or bound to at enrolment), so revoking it ends
	 * the session; null only while a setup-link or invite session has not enrolled one yet.
	 */
	credential_id: string | null;
	created_at: string;
	expires_at: string;
	/** Last request made with it; a session unused for the idle timeout ends (null: before 0014). */
	last_seen_at: string | null;
	/** When its user last proved a passkey in it (login, passkey check, first enrolment). */
	verified_at: string | null;
}

/** Submissions refused before their passkey assertion verified, counted per day, user and code. */
export interface RefusalCountTable {
	/** UTC date, YYYY-MM-DD. */
	day: string;
	user_id: string;
	code: string;
	count: number;
	first_at: string;
	last_at: string;
}

/** A fixed-window attempt counter, shared by every server process (platform/rate-limit.ts). */
export interface RateLimitTable {
	/** Which limiter: its endpoint and what it counts by, e.g. `submissions:user`. */
	scope: string;
	key: string;
	count: number;
	/** When the current window ends (ISO); the next attempt after it starts a new one. */
	reset_at: string;
}

/** Which envelope revisions a session has viewed, so a view is recorded once per session. */
export interface EnvelopeViewTable {
	session_id_hash: string;
	envelope_id: string;
	revision: number;
}

export interface BlobTable {
	sha256: string;
	size: number;
	media_type: string;
	created_at: string;
}

export interface EnvelopeTable {
	id: string;
	org_id: string;
	title: string;
	doc_sha256: string;
	page_count: number;
	revision: Generated<number>;
	/** The stored status; a sent contract with `returned_at` set is returned (SPEC LC3). */
	status: StoredStatus;
	created_at: string;
	/**
	 * JSON of the domain Envelope's parts that are not columns (pages, signingOrder, parties,
	 * signers, fields); null for a contract that has not been prepared for signing yet.
	 */
	definition: string | null;
	/**
	 * The sync clock's value at the envelope's last change (row, accepted manifest, signers),
	 * stamped by triggers in the writing transaction (migration 0006); the pull cursor's unit.
	 */
	change_seq: Generated<number>;
	// contracts (migration 0009)
	deadline: ColumnType<string | null, string | null | undefined, string | null>;
	sent_at: ColumnType<string | null, string | null | undefined, string | null>;
	revoked_at: ColumnType<string | null, string | null | undefined, string | null>;
	revoke_reason: ColumnType<string | null, string | null | undefined, string | null>;
	/** When the last required signature was accepted (0015); null before completion. */
	completed_at: ColumnType<string | null, string | null | undefined, string | null>;
	/** SHA-256 of the signed final PDF in the blob store, set when finalisation committed. */
	final_sha256: ColumnType<string | null, string | null | undefined, string | null>;
	finalised_at: ColumnType<string | null, string | null | undefined, string | null>;
	/** The reminder plan (0017, SPEC DL6): days before the deadline, then days between; null = none. */
	reminder_first_days: ColumnType<number | null, number | null | undefined, number | null>;
	reminder_every_days: ColumnType<number | null, number | null | undefined, number | null>;
	/** When a signer's accepted return closed the round (0016); cleared by the resend (LC5). */
	returned_at: ColumnType<string | null, string | null | undefined, string | null>;
	/** The admin who created it, told of a return (0016); null for the seeded demo. */
	created_by: ColumnType<string | null, string | null | undefined, string | null>;
	/** The level every signer must be certified to (0021, SPEC PC11); null = none. */
	required_level: ColumnType<
		CertificationLevel | null,
		CertificationLevel | null | undefined,
		CertificationLevel | null
	>;
}

/** A passkey. Revoked rows stay, so evidence that names a credential can still be explained. */
export interface CredentialTable {
	/** The credential id, base64url, exactly as the browser reports it. */
	id: string;
	user_id: string;
	/** COSE public key; better-sqlite3 and pg both read it back as a Buffer. */
	public_key: Uint8Array;
	counter: number;
	/** JSON array of the transports the authenticator reported, for excludeCredentials hints. */
	transports: string;
	device_type: 'singleDevice' | 'multiDevice';
	/** 0 or 1: SQLite has no boolean, and one representation keeps both dialects alike. */
	backed_up: number;
	name: string;
	created_at: string;
	last_used_at: string | null;
	revoked_at: string | null;
	/** The authenticator model's AAGUID from registration (0015); null when unknown or older. */
	aaguid: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A server-issued WebAuthn challenge: single use, short-lived, bound to a purpose. */
export interface WebauthnChallengeTable {
	id: string;
	/** base64url, as it appears in the client data the authenticator signs. */
	challenge: string;
	purpose: 'register' | 'login';
	/** The user enrolling; null for discoverable login, where the user is not yet known. */
	user_id: string | null;
	created_at: string;
	expires_at: string;
	used_at: string | null;
}

export type User = Selectable<UserTable>;
export type Credential = Selectable<CredentialTable>;
export type NewEnvelope = Insertable<EnvelopeTable>;
export type Envelope = Selectable<EnvelopeTable>;

// --- tickets and submissions (migration 0004) --------------------------------------------------

/** Which user a signer of an envelope is: the passkey that confirms a manifest must be theirs. */
export interface EnvelopeSignerTable {
	envelope_id: string;
	signer_id: string;
	user_id: string;
}

/** A seal a user may use (R13); revoking keeps the row, so past evidence can still be explained. */
export interface SealAuthorisationTable {
	id: string;
	seal_id: string;
	user_id: string;
	granted_at: string;
	revoked_at: string | null;
}

/** A single-use challenge ticket that lets a device sign offline, bound to one user's credential. */
export interface TicketTable {
	id: string;
	user_id: string;
	credential_id: string;
	/** base64url of 32 random bytes; known to its owner, unguessable to anyone else. */
	nonce: string;
	issued_at: string;
	expires_at: string;
	used_at: string | null;
	used_by_submission: string | null;
	/** Set when its passkey was revoked: a device offline with the pool can no longer submit. */
	revoked_at: string | null;
}

/** An accepted manifest with the passkey assertion that confirmed it. */
export interface SubmissionTable {
	id: string;
	envelope_id: string;
	/** Acceptance order within the envelope, from 1; UNIQUE with envelope_id. */
	seq: number;
	user_id: string;
	credential_id: string;
	ticket_id: string;
	/** Canonical JSON (RFC 8785) of the manifest, exactly the bytes whose hash was signed. */
	manifest_json: string;
	manifest_hash: string;
	assertion_json: string;
	device_time: string;
	received_at: string;
	status: 'accepted';
	// where the upload came from (migration 0023): null for older rows
	client_ip: ColumnType<string | null, string | null | undefined, string | null>;
	user_agent: ColumnType<string | null, string | null | undefined, string | null>;
	/** The device's report (SPEC RV1): 1 no network at confirmation, 0 online, null not reported. */
	confirmed_offline: ColumnType<number | null, number | null | undefined, number | null>;
}

/** The stored answer to a submission, so a retry under the same key gets the same answer. */
export interface IdempotencyKeyTable {
	user_id: string;
	key: string;
	/** SHA-256 hex of the canonical request body. */
	body_hash: string;
	status: number;
	response_json: string;
	created_at: string;
}

/** One row per submission attempt, accepted or refused; append-only evidence. */
export interface SubmissionEventTable {
	id: string;
	at: string;
	user_id: string;
	idempotency_key: string;
	envelope_id: string | null;
	ticket_id: string | null;
	submission_id: string | null;
	outcome: 'accepted' | 'refused';
	code: string | null;
}

export type Ticket = Selectable<TicketTable>;

// --- seals and saved signatures (migration 0005) ------------------------------------------------

/**
 * A seal of an organisation. Who may stamp with it is `seal_authorisations`; a disabled seal
 * stays, so evidence that names it can still be explained, but is offered to nobody.
 */
export interface SealTable {
	id: string;
	org_id: string;
	name: string;
	shape: 'round' | 'oval' | 'square';
	/** Real printed size in millimetres: render() draws the image at exactly this size. */
	width_mm: number;
	height_mm: number;
	/** JSON of the domain SealSpec for a generated seal; null for one made from a photo. */
	spec_json: string | null;
	/** SHA-256 of the transparent PNG in the blob store. */
	image_hash: string;
	status: 'active' | 'disabled';
	created_at: string;
	created_by: string;
}

export type Seal = Selectable<SealTable>;

// invites and codes

/** Secrets generated once by the server (e.g. the pepper of code hashes); never served. */
export interface ServerSecretTable {
	name: string;
	value: string;
	created_at: string;
}

export type NotifyChannel = 'console' | 'smtp' | 'sms';

/** An invitation: a link token and a 6-digit code, both stored only as hashes. */
export interface InviteTable {
	id: string;
	org_id: string;
	user_id: string;
	link_token_hash: string;
	/** HMAC-SHA-256 (hex) of invite id + code, keyed with a server secret. */
	code_hash: string;
	contact: string;
	channel: NotifyChannel;
	created_by: string;
	created_at: string;
	expires_at: string;
	attempts: Generated<number>;
	locked_at: string | null;
	redeemed_at: string | null;
	/** When the current code was sent, if re-sent after creation (0019); the cooldown's start. */
	code_sent_at: Generated<string | null>;
	/** 'enrol' makes a new person's first passkey; 'recover' re-enrols an existing account (0024). */
	purpose: ColumnType<InvitePurpose, InvitePurpose | undefined, InvitePurpose>;
	/** For 'recover': 1 leaves the account's old passkeys active, 0 revokes them on redemption. */
	keep_passkeys: ColumnType<number, number | undefined, number>;
}

/** The notification outbox: every message sent, and for the console channel its text. */
export interface NotificationTable {
	id: string;
	channel: NotifyChannel;
	recipient: string;
	subject: string;
	body: string;
	created_at: string;
	sent_at: string | null;
	error: string | null;
	/** The organisation whose admins may read it (0013); null: filed under none, listed to no one. */
	org_id: string | null;
	/** The message's SMS template and variables as JSON while it waits to be sent (0019). */
	sms_json: string | null;
}

/**
 * A sign-in code asked for at a contact (SPEC CL): its HMAC, expiry and counted attempts. A row
 * whose contact is no member's has user_id null: nothing was sent, and no code can match it.
 */
export interface LoginCodeTable {
	id: string;
	/** The contact as typed, normalised (normaliseContact). */
	contact: string;
	user_id: string | null;
	/** HMAC-SHA-256 (hex) of id + code under the invite-code key, as invite codes are kept. */
	code_hash: string;
	created_at: string;
	expires_at: string;
	attempts: Generated<number>;
	/** Set by the last allowed wrong code, or when a newer code for the contact replaced it. */
	locked_at: string | null;
	used_at: string | null;
}

/** Append-only record of code attempts, locks and details changes. */
export interface AuthEventTable {
	id: string;
	user_id: string | null;
	invite_id: string | null;
	kind: string;
	/** JSON object. */
	detail: string;
	ip: string | null;
	created_at: string;
}

// device sync (migration 0006)

/** One row (id 1): the last change number handed out; bumped by the change triggers. */
export interface SyncClockTable {
	id: number;
	seq: number;
}

// audit trail (migration 0007)

/** One link of the hash-chained audit log (SPEC A2); the database refuses updates and deletes. */
export interface AuditLogTable {
	seq: number;
	at: string;
	kind: string;
	actor: string | null;
	subject: string | null;
	/** Canonical JSON of the event's data, exactly as hashed. */
	data: string;
	prev_hash: string;
	hash: string;
	/**
	 * The organisation the event belongs to (0013), outside the hashed content; null for
	 * platform events, which are verified with the chain but listed to no organisation.
	 */
	org_id: string | null;
}

/** The signed head of the audit chain (SPEC A10): one row, id 1. */
export interface AuditAnchorTable {
	id: number;
	seq: number;
	hash: string;
	/** HMAC-SHA-256 hex of `auditAnchorText(seq, hash)` with the audit key. */
	mac: string;
	at: string;
}

/** A check value per server key (SPEC SEC3): HMAC of a fixed text, never the key. */
export interface SecretCheckTable {
	name: string;
	check_value: string;
	created_at: string;
}

// --- review of synced signatures (migration 0008) ----------------------------------------------

/** One row of the admin review list: a stored submission or a refused attempt (SPEC RV1, RV2). */
export interface ReviewItemTable {
	/** The submission id for a stored submission, the submission event id for a refusal. */
	id: string;
	org_id: string;
	submission_id: string | null;
	envelope_id: string | null;
	user_id: string;
	received_at: string;
	status: 'accepted' | 'refused' | 'flagged' | 'reviewed-ok';
	decision: 'signed' | 'rejected' | null;
	/** 0 or 1 (RV1); null for a refusal. */
	offline: number | null;
	code: string | null;
}

/** An admin's accept / flag of a submission, kept whole; the review item holds the latest. */
export interface ReviewDecisionTable {
	id: string;
	submission_id: string;
	decision: 'ok' | 'flagged';
	comment: string;
	admin_id: string;
	at: string;
}

// contracts (migration 0009)

/** The admin's view of a signer: who they are before they have an account, and how to reach them. */
export interface ContractSignerTable {
	envelope_id: string;
	signer_id: string;
	name: string;
	contact: string | null;
	/** The account that confirms for this signer; null until a new person is invited on send. */
	user_id: string | null;
	invite_id: string | null;
	notified_at: string | null;
}

/** A named field layout; its fields name signers by slot (SPEC L5), not by person. */
export interface FieldTemplateTable {
	id: string;
	org_id: string;
	name: string;
	/** JSON array of TemplateField. */
	fields_json: string;
	created_by: string;
	created_at: string;
}

/** Every document an envelope has had, revision 1 being the upload. */
export interface EnvelopeRevisionTable {
	envelope_id: string;
	revision: number;
	doc_sha256: string;
	page_count: number;
	created_at: string;
}

// seal usage (migration 0010)

/**
 * One stored submission's use of one seal (SPEC SA7), written by ingest in the submission's
 * transaction; the seal list counts these rows and the usage history pages through them.
 */
export interface SealUseTable {
	submission_id: string;
	seal_id: string;
	envelope_id: string;
	/** The submission's receipt time: the history's order. */
	received_at: string;
	/** JSON array of the domain SealMark ({ kind, pages }), in manifest order. */
	marks: string;
}

// --- seal image versions (migration 0012) --------------------------------------------------------

/**
 * One image a seal has had, with its real size and the time it was the seal's image (R20): a
 * stamp must carry a version that was current when its ticket was issued or became so later.
 */
export interface SealVersionTable {
	id: string;
	seal_id: string;
	image_hash: string;
	width_mm: number;
	height_mm: number;
	valid_from: string;
	/** Null while it is the seal's current image. */
	valid_until: string | null;
}

/** A database handle or an open transaction: read helpers take either, so a write can reuse them. */
// --- background jobs (migration 0015) ------------------------------------------------------------

/**
 * A job: one row per (kind, subject), so queuing twice is a no-op. A running job holds a lease
 * until `lease_until`; a job whose lease ran out (its process died) is due again.
 */
export interface JobTable {
	id: string;
	kind: string;
	subject: string;
	state: 'queued' | 'running' | 'held' | 'done' | 'failed';
	attempts: Generated<number>;
	run_after: string;
	lease_owner: string | null;
	lease_until: string | null;
	last_error: string | null;
	created_at: string;
	updated_at: string;
}

export type Db = Kysely<Database> | Transaction<Database>;
