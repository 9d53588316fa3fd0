import { canonicalJson, sha256Hex } from './canonical';

/*
 * The audit trail (SPEC A1–A8): every event that an admin may have to answer for is
 * one row of a hash chain. Each row's hash covers its own content and the previous row's hash,
 * so changing, removing or reordering any row breaks every link after it, and verifyChain names
 * the first row where that shows. Pure: the server supplies time and storage.
 */

/**
 * Every kind of audited event with the data it carries (A1). `actor` is the user who acted
 * (null when nobody is signed in, e.g. a wrong code on an unknown invite); `subject` is the id
 * of the thing acted on: invite, user, envelope, submission or seal, as each kind says.
 */
export type AuditEvent =
	// invites and codes — subject: invite id
	| { kind: 'invite.created'; subject: string; data: { userId: string; channel: string } }
	| { kind: 'invite.code_wrong'; subject: string; data: { attempts: number; ip: string | null } }
	| { kind: 'invite.code_resent'; subject: string; data: { ip: string | null } }
	| { kind: 'invite.locked'; subject: string; data: { ip: string | null } }
	| { kind: 'invite.refused'; subject: string | null; data: { code: string; ip: string | null } }
	| { kind: 'invite.redeemed'; subject: string; data: { userId: string; ip: string | null } }
	// re-enrolment of an existing account (RC1–RC6) — subject: invite id
	| {
			kind: 'recovery.issued';
			subject: string;
			data: { userId: string; channel: string; keepPasskeys: boolean };
	  }
	| {
			kind: 'recovery.id_number_wrong';
			subject: string;
			data: { attempts: number; ip: string | null };
	  }
	| {
			kind: 'recovery.completed';
			subject: string;
			data: {
				userId: string;
				passkeysRevoked: number;
				sessionsEnded: number;
				ticketsRevoked: number;
				ip: string | null;
			};
	  }
	// sign-in and passkeys — subject: user id
	| { kind: 'setup.used'; subject: string; data: Record<string, never> }
	| { kind: 'passkey.enrolled'; subject: string; data: { credentialId: string; name: string } }
	| { kind: 'passkey.revoked'; subject: string; data: { credentialId: string } }
	// members — subject: the member's user id, actor: the administrator
	| { kind: 'member.role-changed'; subject: string; data: { from: string; to: string } }
	| {
			kind: 'member.deactivated';
			subject: string;
			data: { sessionsEnded: number; ticketsRevoked: number };
	  }
	| { kind: 'member.reactivated'; subject: string; data: Record<string, never> }
	| { kind: 'login'; subject: string; data: { credentialId: string } }
	// signing in with a code (CL1–CL6) — subject: the member's user id
	| { kind: 'login.code_sent'; subject: string; data: { channel: string; ip: string | null } }
	| { kind: 'login.code_wrong'; subject: string; data: { attempts: number; ip: string | null } }
	| { kind: 'login.code_locked'; subject: string; data: { ip: string | null } }
	| { kind: 'login.code_refused'; subject: string; data: { code: string; ip: string | null } }
	| { kind: 'login.code'; subject: string; data: { ip: string | null } }
	// one person in several organisations (SPEC MO) — subject: the membership (user row) entered
	| { kind: 'session.switched'; subject: string; data: { ip: string | null } }
	| { kind: 'person.joined'; subject: string; data: { credentialId: string; ip: string | null } }
	// contracts — subject: envelope id
	| { kind: 'envelope.created'; subject: string; data: { docHash: string; title: string } }
	| { kind: 'envelope.sent'; subject: string; data: { revision: number } }
	| { kind: 'envelope.viewed'; subject: string; data: { revision: number } }
	| { kind: 'envelope.downloaded'; subject: string; data: { docHash: string } }
	| { kind: 'envelope.revoked'; subject: string; data: { reason: string } }
	| {
			kind: 'envelope.deadline-changed';
			subject: string;
			data: { from: string | null; to: string | null };
	  }
	| {
			kind: 'envelope.finalised';
			subject: string;
			data: { sha256: string; renderedSha256: string; size: number };
	  }
	| { kind: 'envelope.resent'; subject: string; data: { revision: number; docHash: string } }
	| {
			kind: 'envelope.replaced';
			subject: string;
			data: { revision: number; docHash: string; previousDocHash: string };
	  }
	// synced signatures — subject: submission id (refusals: the envelope id, if readable)
	| { kind: 'submission.signed'; subject: string; data: SubmissionData }
	| { kind: 'submission.rejected'; subject: string; data: SubmissionData & { reason: string } }
	| {
			kind: 'submission.refused';
			subject: string | null;
			data: { code: string; idempotencyKey: string; ticketId: string | null };
	  }
	// review decisions — subject: submission id
	| { kind: 'review.accepted'; subject: string; data: { comment: string } }
	| { kind: 'review.flagged'; subject: string; data: { comment: string } }
	// seals — subject: seal id
	| { kind: 'seal.created'; subject: string; data: { name: string; imageHash: string } }
	| {
			kind: 'seal.regenerated';
			subject: string;
			data: { name: string; imageHash: string; previousImageHash: string };
	  }
	| { kind: 'seal.disabled'; subject: string; data: { name: string } }
	| { kind: 'seal.enabled'; subject: string; data: { name: string } }
	| { kind: 'seal.authorised'; subject: string; data: { userId: string } }
	| { kind: 'seal.revoked'; subject: string; data: { userId: string } }
	// organisation certification — subject: application id
	| {
			kind: 'org.cert-applied';
			subject: string;
			data: {
				orgId: string;
				orgType: string;
				idNumber: string;
				usccVerdict: string;
				licenceHash: string;
				privacyVersion: string;
			};
	  }
	| {
			kind: 'org.cert-verification';
			subject: string;
			data: {
				method: string;
				step:
					| 'chosen'
					| 'sent'
					| 'wrong'
					| 'confirmed'
					| 'locked'
					| 'received'
					| 'uploaded'
					// 法定代表人认证 (LR): asked, link opened, identity refused, manifest issued
					| 'requested'
					| 'opened'
					| 'mismatch'
					| 'issued';
				detail?: string;
			};
	  }
	| { kind: 'org.cert-approved'; subject: string; data: { orgId: string } }
	| { kind: 'org.cert-rejected'; subject: string; data: { orgId: string; reason: string } }
	// the platform operator creates an organisation (OC11) — subject: organisation id
	| { kind: 'org.created'; subject: string; data: { name: string; nameEn: string } }
	// personal certification (PC7, PC9) — subject: user id; never the document number
	| { kind: 'certification.consented'; subject: string; data: { version: string } }
	| {
			kind: 'certification.certified';
			subject: string;
			data: {
				level: string;
				method: string;
				provider: string | null;
				reference: string | null;
				documentType: string;
			};
	  }
	| {
			kind: 'certification.failed';
			subject: string;
			data: { method: string; provider: string; reference: string | null; reason: string };
	  };

/** What an accepted manifest is known by in the trail: enough to find and re-check it. */
export interface SubmissionData {
	envelopeId: string;
	manifestHash: string;
	ticketId: string;
	credentialId: string;
}

export type AuditKind = AuditEvent['kind'];

/** Every kind, in the order the admin filter lists them; checked complete by the compiler. */
export const AUDIT_KINDS = Object.keys({
	'invite.created': 1,
	'invite.code_wrong': 1,
	'invite.code_resent': 1,
	'invite.locked': 1,
	'invite.refused': 1,
	'invite.redeemed': 1,
	'recovery.issued': 1,
	'recovery.id_number_wrong': 1,
	'recovery.completed': 1,
	'setup.used': 1,
	'passkey.enrolled': 1,
	'passkey.revoked': 1,
	login: 1,
	'login.code_sent': 1,
	'login.code_wrong': 1,
	'login.code_locked': 1,
	'login.code_refused': 1,
	'login.code': 1,
	'session.switched': 1,
	'person.joined': 1,
	'envelope.created': 1,
	'envelope.sent': 1,
	'envelope.viewed': 1,
	'envelope.downloaded': 1,
	'envelope.revoked': 1,
	'envelope.replaced': 1,
	'envelope.resent': 1,
	'submission.signed': 1,
	'submission.rejected': 1,
	'submission.refused': 1,
	'review.accepted': 1,
	'review.flagged': 1,
	'seal.created': 1,
	'seal.regenerated': 1,
	'seal.disabled': 1,
	'seal.enabled': 1,
	'seal.authorised': 1,
	'seal.revoked': 1,
	'envelope.finalised': 1,
	'envelope.deadline-changed': 1,
	'member.role-changed': 1,
	'member.deactivated': 1,
	'member.reactivated': 1,
	'org.cert-applied': 1,
	'org.cert-verification': 1,
	'org.cert-approved': 1,
	'org.cert-rejected': 1,
	'org.created': 1,
	'certification.consented': 1,
	'certification.certified': 1,
	'certification.failed': 1
} satisfies Record<AuditKind, 1>) as AuditKind[];

/** One stored row of the chain; `data` is the canonical JSON text exactly as stored. */
export interface AuditRow {
	seq: number;
	at: string;
	kind: string;
	actor: string | null;
	subject: string | null;
	data: string;
	prevHash: string;
	hash: string;
}

/** prev_hash of the first row (A3). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of a row (A2): SHA-256 hex over the canonical JSON of
 * `{ seq, at, kind, actor, subject, data, prevHash }` with `data` as the parsed object, so the
 * stored text's spelling cannot matter and anyone with the rows can recompute it.
 */
export async function auditHash(row: Omit<AuditRow, 'hash' | 'data'> & { data: unknown }) {
	const { seq, at, kind, actor, subject, data, prevHash } = row;
	return sha256Hex(canonicalJson({ seq, at, kind, actor, subject, data, prevHash }));
}

/**
 * Builds the next row after `head` (null for an empty log) (A2, A3, A4): seq is the head's + 1,
 * prevHash the head's hash, data its canonical JSON. The caller supplies the time.
 */
export async function nextAuditRow(
	head: { seq: number; hash: string } | null,
	at: string,
	actor: string | null,
	event: AuditEvent
): Promise<AuditRow> {
	const seq = (head?.seq ?? 0) + 1;
	const prevHash = head?.hash ?? GENESIS_HASH;
	const base = { seq, at, kind: event.kind, actor, subject: event.subject, prevHash };
	return {
		...base,
		data: canonicalJson(event.data),
		hash: await auditHash({ ...base, data: event.data })
	};
}

/**
 * Why the log fails verification: a row breaks the chain (A6), or the rows do not end at the
 * signed head (A10): `anchor-missing` (no signed head), `anchor-invalid` (its HMAC does not
 * verify with the server's key), `tail-cut` (the signed head's row is gone or rewritten: the
 * newest rows were removed), `after-anchor` (rows beyond the signed head, added without the key).
 */
export type BreakReason =
	| 'seq-gap'
	| 'prev-link-broken'
	| 'data-invalid'
	| 'hash-mismatch'
	| 'anchor-missing'
	| 'anchor-invalid'
	| 'tail-cut'
	| 'after-anchor';

/**
 * The text the server's audit key signs for a head (A10): seq 0 with the genesis hash is the
 * head of an empty log. Versioned and newline-separated so no other HMAC input can collide.
 */
export function auditAnchorText(seq: number, hash: string): string {
	return `sealpass audit head v1\n${seq}\n${hash}`;
}

export interface ChainCheck {
	ok: boolean;
	/** Rows checked, up to and including the first broken one. */
	checked: number;
	firstBroken: { seq: number; reason: BreakReason } | null;
	/** The last good row, to continue checking the next batch from. */
	head: { seq: number; hash: string } | null;
}

/**
 * Recomputes the chain over rows in seq order (A5, A6) and names the first broken row: a seq
 * that is not the previous + 1 (`seq-gap`: a row was removed or inserted), a prevHash that is
 * not the previous row's hash (`prev-link-broken`), data that is not canonical JSON
 * (`data-invalid`), or a hash that does not match the row's content (`hash-mismatch`). Checks
 * in that order and stops at the first failure. `from` continues a check across batches; left
 * out, the first row must be seq 1 with the genesis prevHash.
 */
export async function verifyChain(
	rows: readonly AuditRow[],
	from: { seq: number; hash: string } | null = null
): Promise<ChainCheck> {
	let head = from;
	let checked = 0;
	for (const row of rows) {
		checked += 1;
		const broken = (reason: BreakReason): ChainCheck => ({
			ok: false,
			checked,
			firstBroken: { seq: row.seq, reason },
			head
		});
		if (row.seq !== (head?.seq ?? 0) + 1) return broken('seq-gap');
		if (row.prevHash !== (head?.hash ?? GENESIS_HASH)) return broken('prev-link-broken');
		let data: unknown;
		try {
			data = JSON.parse(row.data);
		} catch {
			return broken('data-invalid');
		}
		if (canonicalJson(data) !== row.data) return broken('data-invalid');
		if ((await auditHash({ ...row, data })) !== row.hash) return broken('hash-mismatch');
		head = { seq: row.seq, hash: row.hash };
	}
	return { ok: true, checked, firstBroken: null, head };
}
