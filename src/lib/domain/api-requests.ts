import * as v from 'valibot';
import { REVIEW_DECISIONS } from './review';
import { MEMBER_ROLES } from './members';
import { CERTIFICATION_LEVELS, DOCUMENT_TYPES, PROVIDER_METHODS } from './personal-certification';

// Request bodies, written once beside the response types (api-types.ts): the endpoints and
// services parse with these schemas and the client's types are inferred from them, so the two
// cannot drift. The admin lists' query strings are parsed where their keyset paging lives.

/** What a client sends for a schema: its input type (before transforms). */
export type RequestOf<S extends v.GenericSchema> = v.InferInput<S>;

/** Most hashes one missing-blobs question may name: a manifest draws with a handful. */
export const MISSING_MAX_HASHES = 200;

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** The new-contract form's fields (the PDF travels beside them); the server checks more in code. */
export const ContractInput = v.object({
	title: Text(400),
	signingOrder: v.picklist(['parallel', 'sequential']),
	deadline: v.nullable(Text(40)),
	/** The level every signer must be certified to (SPEC PC11); absent or null means none. */
	requiredLevel: v.optional(v.nullable(v.picklist(CERTIFICATION_LEVELS))),
	/** The reminder plan (SPEC DL6); absent means the default, null means none. */
	reminders: v.optional(
		v.nullable(
			v.object({
				firstDaysBefore: v.pipe(v.number(), v.integer()),
				everyDays: v.pipe(v.number(), v.integer())
			})
		)
	),
	parties: v.pipe(
		v.array(
			v.object({
				name: Text(400),
				kind: v.picklist(['organisation', 'person']),
				signers: v.pipe(
					v.array(
						v.object({
							name: Text(200),
							contact: v.nullable(Text(300)),
							userId: v.nullable(Text(100)),
							order: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50))
						})
					),
					v.minLength(1),
					v.maxLength(20)
				)
			})
		),
		v.minLength(1),
		v.maxLength(10)
	)
});
export type ContractInput = v.InferOutput<typeof ContractInput>;

/** The longest contract title the server accepts, in characters after trimming. */
export const TITLE_MAX = 200;

export const FieldInput = v.object({
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
	kind: v.picklist(['signature', 'seal', 'date', 'riding-seam']),
	signerId: Text(100),
	page: v.pipe(v.number(), v.integer(), v.minValue(1)),
	rect: v.object({ x: v.number(), y: v.number(), width: v.number(), height: v.number() }),
	required: v.boolean()
});
/** The body of PUT /api/admin/contracts/[id]/fields. */
export const FieldsInput = v.object({ fields: v.pipe(v.array(FieldInput), v.maxLength(2000)) });
export type FieldsInput = v.InferOutput<typeof FieldsInput>;

// --- WebAuthn responses, checked in shape only (@simplewebauthn verifies them) ---

const b64url = v.pipe(v.string(), v.maxLength(65_536), v.regex(/^[A-Za-z0-9_-]*$/));
const credentialId = v.pipe(b64url, v.minLength(1), v.maxLength(1_400));
const common = {
	id: credentialId,
	rawId: credentialId,
	type: v.literal('public-key'),
	clientExtensionResults: v.looseObject({}),
	authenticatorAttachment: v.optional(v.picklist(['platform', 'cross-platform']))
};

/** The browser's registration response (RegistrationResponseJSON), checked in shape only. */
export const RegistrationResponseSchema = v.looseObject({
	...common,
	response: v.looseObject({
		clientDataJSON: b64url,
		attestationObject: b64url,
		transports: v.optional(v.array(v.pipe(v.string(), v.maxLength(32))))
	})
});

/** The browser's authentication response (AuthenticationResponseJSON), checked in shape only. */
export const AuthenticationResponseSchema = v.looseObject({
	...common,
	response: v.looseObject({
		clientDataJSON: b64url,
		authenticatorData: b64url,
		signature: b64url,
		userHandle: v.optional(b64url)
	})
});

// --- a device's signed submission ---

const sha256HexKey = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

/** The request body of POST /api/submissions, checked in shape before anything is read. */
export const SubmissionBodySchema = v.object({
	// Chosen by the device when the signer confirms, so every retry carries the same key.
	idempotencyKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,100}$/)),
	manifest: v.unknown(),
	assertion: AuthenticationResponseSchema,
	images: v.optional(v.record(sha256HexKey, v.pipe(v.string(), v.maxLength(1_000_000))), {}),
	/**
	 * The device had no network when the signer confirmed (RV1). Reported by the device beside
	 * the manifest, not covered by the passkey; absent from clients that do not record it.
	 */
	confirmedOffline: v.optional(v.boolean())
});

// --- the other endpoints' bodies ---

/** The body of POST /api/admin/templates: save a contract's layout under a name. */
export const TemplateBody = v.object({
	name: v.pipe(v.string(), v.maxLength(200)),
	contractId: v.pipe(v.string(), v.maxLength(100))
});

/** The body of POST /api/admin/invites. */
export const InviteBody = v.object({
	name: v.pipe(v.string(), v.maxLength(200)),
	contact: v.pipe(v.string(), v.maxLength(300))
});

/** The body of POST /api/admin/contracts/[id]/revoke. */
/** PUT /api/admin/contracts/[id]/deadline: a calendar day (SPEC DL1), or null for none. */
export const DeadlineBody = v.object({ deadline: v.nullable(Text(40)) });

export const RevokeBody = v.object({ reason: v.pipe(v.string(), v.maxLength(2000)) });

/** The body of PATCH /api/admin/members/[id]: a new role, deactivation or reactivation (MB2). */
export const MemberChangeBody = v.variant('kind', [
	v.object({ kind: v.literal('role'), role: v.picklist(MEMBER_ROLES) }),
	v.object({ kind: v.literal('deactivate') }),
	v.object({ kind: v.literal('reactivate') })
]);

/** The body of PATCH /api/admin/seals/[id] that enables or disables a seal. */
export const SealStatusBody = v.object({ status: v.picklist(['active', 'disabled']) });

/** The query string of POST /api/admin/seals/photo (the PNG is the body). */
export const PhotoSealQuery = v.object({
	name: v.pipe(v.string(), v.maxLength(200)),
	shape: v.pipe(v.string(), v.maxLength(20)),
	widthMm: v.pipe(v.string(), v.maxLength(20), v.transform(Number)),
	heightMm: v.pipe(v.string(), v.maxLength(20), v.transform(Number))
});

/** The body of PATCH /api/passkeys/[id]. */
export const PasskeyRenameBody = v.object({ name: v.pipe(v.string(), v.maxLength(500)) });

/** The body of POST /api/passkeys/register/verify. */
export const PasskeyRegisterBody = v.object({
	response: RegistrationResponseSchema,
	name: v.pipe(v.string(), v.maxLength(500))
});

/** The body of PUT /api/me/details. */
export const DetailsBody = v.object({
	realName: v.pipe(v.string(), v.maxLength(200)),
	idNumber: v.pipe(v.string(), v.maxLength(64))
});

/** The body of POST /api/me/consent: the consent text version the person agreed to (PC7). */
export const ConsentBody = v.object({ version: Text(40) });

/** The body of POST /api/me/certification (PC1–PC5); the number is checked in code. */
export const CertificationBody = v.object({
	documentType: v.picklist(DOCUMENT_TYPES),
	/** ISO 3166 alpha-3 issuing country, for a passport. */
	country: v.optional(Text(8)),
	realName: Text(200),
	idNumber: Text(64),
	/** A provider method to reach provider-verified; absent stops at checksum-valid. */
	method: v.optional(v.picklist(PROVIDER_METHODS)),
	phone: v.optional(Text(32)),
	bankCard: v.optional(Text(32))
});

/** The body of POST /api/blobs/missing. */
export const MissingBlobsBody = v.object({
	hashes: v.pipe(
		v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))),
		v.maxLength(MISSING_MAX_HASHES)
	)
});

/** The body of POST /api/invites/redeem. */
export const RedeemBody = v.object({
	token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,100}$/)),
	code: v.pipe(v.string(), v.regex(/^\d{6}$/)),
	/** A re-enrolment link of a certified account: the document number typed again. */
	idNumber: v.optional(v.pipe(v.string(), v.maxLength(40)))
});

/** The body of POST /api/admin/members/[id]/recovery: a re-enrolment link for the member. */
export const RecoveryBody = v.object({ keepPasskeys: v.optional(v.boolean(), false) });

/** The body of POST /api/invites/resend (a new code) and /api/invites/info (what the link is for). */
export const ResendCodeBody = v.object({
	token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,100}$/))
});

/** The body of POST /api/auth/login/verify. */
export const LoginVerifyBody = v.object({ response: AuthenticationResponseSchema });

/** The body of POST /api/auth/code/request: the contact a member was invited at (CL1). */
export const CodeLoginRequestBody = v.object({
	contact: v.pipe(v.string(), v.minLength(1), v.maxLength(254))
});

/** The body of POST /api/auth/code/verify: the same contact and the 6-digit code sent to it. */
export const CodeLoginVerifyBody = v.object({
	contact: v.pipe(v.string(), v.minLength(1), v.maxLength(254)),
	code: v.pipe(v.string(), v.regex(/^\d{6}$/))
});

/** The body of POST /api/session/switch: the membership (user row) to act as (SPEC MO3). */
export const SwitchBody = v.object({
	userId: v.pipe(v.string(), v.minLength(1), v.maxLength(100))
});

/** The body of POST /api/session/check/verify. */
export const PasskeyCheckBody = v.object({ response: AuthenticationResponseSchema });

/** The body of POST /api/setup. */
export const SetupBody = v.object({
	token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,100}$/))
});

/** The body of POST /api/tickets. */
export const TicketsBody = v.object({
	credentialId: v.pipe(v.string(), v.minLength(1), v.maxLength(1_400))
});

/** The body of a seal create or update: a label and a (partial) SealSpec, checked by the domain. */
export const SealBody = v.object({
	name: v.pipe(v.string(), v.maxLength(200)),
	spec: v.object({
		shape: v.optional(v.picklist(['round', 'oval', 'square'])),
		widthMm: v.optional(v.number()),
		heightMm: v.optional(v.number()),
		orgName: v.optional(v.pipe(v.string(), v.maxLength(200))),
		centreText: v.optional(v.pipe(v.string(), v.maxLength(200))),
		bottomCode: v.optional(v.pipe(v.string(), v.maxLength(200))),
		star: v.optional(v.boolean()),
		colour: v.optional(v.pipe(v.string(), v.maxLength(20))),
		ringWidthMm: v.optional(v.number()),
		arcDegrees: v.optional(v.number())
	})
});

/** The body of POST /api/admin/submissions/[id]/review. */
export const ReviewDecisionSchema = v.object({
	decision: v.picklist(REVIEW_DECISIONS),
	comment: v.pipe(v.string(), v.maxLength(4000))
});

// organisation certification (SPEC OC)

/** 对公打款, platform pays: the account the amount goes to (checked further by OC7). */
export const DepositAccountBody = v.object({
	bank: Text(100),
	branch: Text(100),
	account: Text(40),
	cnaps: Text(20)
});

/** The amount typed back, as typed ("0.37"). */
export const DepositAnswerBody = v.object({ amount: Text(20) });

/** The operator's decision on an application; a rejection carries its reason. */
export const CertDecisionBody = v.variant('decision', [
	v.object({ decision: v.literal('approve') }),
	v.object({ decision: v.literal('reject'), reason: Text(1000) })
]);

/** The simulated bank's page: an organisation's payment to the platform. */
export const SimPaymentBody = v.object({
	accountName: Text(100),
	account: Text(40),
	amount: Text(20),
	remark: Text(40)
});

/**
 * POST /api/operator/organisations: a new organisation and its first administrator, invited by
 * phone or e-mail (SPEC OC11). The lengths here only bound the body; the names and the contact
 * are judged by newOrgNames and the invite's own rules, which say which field is wrong.
 */
export const NewOrganisationBody = v.object({
	name: Text(400),
	nameEn: v.optional(v.nullable(Text(800))),
	adminName: Text(200),
	adminContact: Text(300)
});

/**
 * 法定代表人认证 (SPEC LR1): where the request goes and the representative's document, whose
 * number is kept only as the keyed hash and mask personal certification uses.
 */
export const LegalRepRequestBody = v.object({
	contact: Text(254),
	documentType: v.picklist(DOCUMENT_TYPES),
	/** ISO 3166 alpha-3 issuing country, for a passport. */
	country: v.optional(Text(8)),
	idNumber: Text(64)
});

/** The legal representative's passkey assertion over the manifest they were issued (LR4). */
export const LegalRepConfirmBody = v.object({ assertion: AuthenticationResponseSchema });
