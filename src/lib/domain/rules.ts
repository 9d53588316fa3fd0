import type { Envelope, Field, Rect, Signer } from './envelope';
import { mmToPt } from './envelope';
import type { Manifest, SizeMm } from './manifest';
import type { ErrorCode } from './errors';
import { currentRound, openForSigning } from './lifecycle';

/** One broken rule: its stable code, the SPEC rule id, and where in the manifest it broke. */
export interface Problem {
	code: ErrorCode;
	rule: string;
	path: string;
}

export const REASON_MAX = 500;

/**
 * The manifests already accepted for this envelope, in the order they were accepted. The rules
 * below that take the envelope count only the current round's (LC2), whatever they are given.
 */
type Accepted = readonly Manifest[];

function signedOnly(accepted: Accepted): Manifest[] {
	return accepted.filter((m) => m.decision.kind === 'signed');
}

/** Field id → the accepted manifest that filled it (riding-seam fields via ridingSeams[].fieldId). */
export function filledFields(accepted: Accepted): Map<string, Manifest> {
	const filled = new Map<string, Manifest>();
	for (const manifest of signedOnly(accepted)) {
		for (const fill of manifest.fills) filled.set(fill.fieldId, manifest);
		for (const seam of manifest.ridingSeams) if (seam.fieldId) filled.set(seam.fieldId, manifest);
	}
	return filled;
}

/**
 * Whether the signer's turn has come (R9): in a sequential envelope every signer with a lower
 * order number must have signed; in a parallel one anybody may sign at any time.
 */
export function isSignersTurn(envelope: Envelope, accepted: Accepted, signerId: string): boolean {
	if (envelope.signingOrder === 'parallel') return true;
	accepted = currentRound(envelope, accepted);
	const me = envelope.signers.find((s) => s.id === signerId);
	if (!me) return false;
	const signed = new Set(signedOnly(accepted).map((m) => m.signerId));
	return envelope.signers.every((s) => s.order >= me.order || signed.has(s.id));
}

/**
 * The signers who must act now (LC8): no decision in the round yet and their turn has come. In a
 * sequential contract that is the lowest order still open; in a parallel one, everybody undecided.
 */
export function signersDue(envelope: Envelope, round: Accepted): string[] {
	const decided = new Set(round.map((m) => m.signerId));
	return envelope.signers
		.filter((s) => !decided.has(s.id) && isSignersTurn(envelope, round, s.id))
		.map((s) => s.id);
}

/**
 * Whom a signer waits for in a sequential contract (R9): the signers ordered before them who have
 * not signed in the round. Empty when it is their turn, or in a parallel contract. The device
 * names them, so a signer offline knows why they cannot sign yet.
 */
export function waitingOn(envelope: Envelope, round: Accepted, signerId: string): Signer[] {
	const me = envelope.signers.find((s) => s.id === signerId);
	if (!me || envelope.signingOrder === 'parallel') return [];
	const signed = new Set(signedOnly(round).map((m) => m.signerId));
	return envelope.signers.filter((s) => s.order < me.order && !signed.has(s.id));
}

/** The signers whose turn a newly accepted decision opened (LC8): due after it, not before. */
export function turnOpenedFor(envelope: Envelope, before: Accepted, after: Accepted): string[] {
	const was = new Set(signersDue(envelope, before));
	return signersDue(envelope, after).filter((id) => !was.has(id));
}

/**
 * May this signer fill this field now (R5, R6, R8, R9)? The UI asks before offering a field;
 * the server asks again on ingest, because the answer can change while a device is offline.
 */
export function mayFill(
	envelope: Envelope,
	accepted: Accepted,
	signerId: string,
	fieldId: string
): { ok: true; field: Field } | { ok: false; code: ErrorCode; rule: string } {
	const field = envelope.fields.find((f) => f.id === fieldId);
	if (!field) return { ok: false, code: 'FIELD_UNKNOWN', rule: 'R5' };
	accepted = currentRound(envelope, accepted);
	if (field.signerId !== signerId) return { ok: false, code: 'FIELD_NOT_YOURS', rule: 'R6' };
	if (filledFields(accepted).has(fieldId)) return { ok: false, code: 'FIELD_TAKEN', rule: 'R8' };
	if (!isSignersTurn(envelope, accepted, signerId))
		return { ok: false, code: 'NOT_YOUR_TURN', rule: 'R9' };
	return { ok: true, field };
}

/**
 * Is the envelope complete (C1)? Every required field is filled by an accepted signed manifest
 * of the current round (LC2) and nobody returned that round; a returned round never completes.
 */
export function isComplete(envelope: Envelope, accepted: Accepted): boolean {
	accepted = currentRound(envelope, accepted);
	if (accepted.some((m) => m.decision.kind === 'rejected')) return false;
	const filled = filledFields(accepted);
	return envelope.fields.every((f) => !f.required || filled.has(f.id));
}

function sameRect(a: Rect, b: Rect): boolean {
	return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

function inside(inner: Rect, page: { width: number; height: number }): boolean {
	const eps = 1e-6;
	return (
		inner.x >= -eps &&
		inner.y >= -eps &&
		inner.x + inner.width <= page.width + eps &&
		inner.y + inner.height <= page.height + eps
	);
}

/** The pages a riding seam covers, resolved against the document (R15). */
export function seamPages(pages: 'all' | number[], pageCount: number): number[] {
	return pages === 'all' ? Array.from({ length: pageCount }, (_, i) => i + 1) : pages;
}

/**
 * One image a seal has stamped with, and when it was the seal's image (ISO instants). A seal
 * regenerated or replaced closes its version and opens a new one, so the receiver can tell the
 * seal's own pixels, old or new, from anything else stamped under its id (R20).
 */
export interface SealVersion {
	imageHash: string;
	sizeMm: SizeMm;
	validFrom: string;
	/** Null while it is the seal's current image. */
	validUntil: string | null;
}

/** What the receiver knows of one seal: its status now and every image version it has had. */
export interface SealRecord {
	status: 'active' | 'disabled';
	versions: readonly SealVersion[];
}

/** The seal facts a manifest's stamps are judged against (R13, R20, R21). */
export interface SealContext {
	/** Seal ids this signer is authorised to use right now. */
	authorisedSeals: ReadonlySet<string>;
	/** Every seal the receiver knows by id; a stamp naming any other seal matches no version. */
	seals: ReadonlyMap<string, SealRecord>;
	/** When the manifest's challenge ticket was issued (ISO): versions closed before it are spent. */
	ticketIssuedAt: string;
	/**
	 * Whether the signer's organisation is 已认证 (SPEC OC5); false refuses every company stamp.
	 * Absent where it is not judged: re-verifying evidence accepted while it was certified.
	 */
	orgCertified?: boolean;
}

export interface ValidationContext extends SealContext {
	/** Manifests already accepted for this envelope, in acceptance order. */
	accepted: Accepted;
	/** SHA-256 hex of every image the receiver holds or received with the manifest. */
	images: ReadonlySet<string>;
}

/** Sizes are copied from the seal record, so only a float's last bit may differ. */
function sameSize(a: SizeMm, b: SizeMm): boolean {
	return Math.abs(a.width - b.width) < 1e-6 && Math.abs(a.height - b.height) < 1e-6;
}

/**
 * Whether a version could have been on the signer's device when the manifest was confirmed:
 * it was the seal's image at the ticket's issue or became it later (a device may refresh its
 * seals while it still holds an older ticket; tickets live for weeks). A version retired before
 * the ticket existed cannot be, so an old image is not a licence forever.
 */
function versionUsable(version: SealVersion, ticketIssuedAt: string): boolean {
	return version.validUntil === null || version.validUntil > ticketIssuedAt;
}

type Stamp = { sealId: string; image: string; sizeMm: SizeMm };

/**
 * The seal rules for one stamp (a seal fill, a free seal or a riding seam): authorised (R13),
 * not disabled (R21), and carrying one usable image version of that very seal at that
 * version's size (R20). One function, so ingest, re-verify and the device judge alike.
 */
function checkStamp(
	stamp: Stamp,
	path: string,
	ctx: SealContext,
	add: (code: ErrorCode, rule: string, path: string) => void
): void {
	if (ctx.orgCertified === false) add('ORG_NOT_CERTIFIED', 'OC5', `${path}.sealId`);
	if (!ctx.authorisedSeals.has(stamp.sealId)) add('SEAL_NOT_AUTHORISED', 'R13', `${path}.sealId`);
	const seal = ctx.seals.get(stamp.sealId);
	if (seal?.status === 'disabled') add('SEAL_DISABLED', 'R21', `${path}.sealId`);
	const usable = (seal?.versions ?? []).filter((v) => versionUsable(v, ctx.ticketIssuedAt));
	const sameImage = usable.filter((v) => v.imageHash === stamp.image);
	if (sameImage.length === 0) add('SEAL_IMAGE_MISMATCH', 'R20', `${path}.image`);
	else if (!sameImage.some((v) => sameSize(v.sizeMm, stamp.sizeMm)))
		add('SEAL_SIZE_MISMATCH', 'R20', `${path}.sizeMm`);
}

/**
 * Every seal problem of a manifest (R13, R20, R21), for a receiver that judges the stamps alone:
 * the device before it asks the passkey, and re-verify of stored evidence. validateManifest
 * applies the same per-stamp rule in place.
 */
export function sealProblems(manifest: Manifest, ctx: SealContext): Problem[] {
	const problems: Problem[] = [];
	const add = (code: ErrorCode, rule: string, path: string) => problems.push({ code, rule, path });
	manifest.fills.forEach((fill, i) => {
		if (fill.kind === 'seal') checkStamp(fill, `fills.${i}`, ctx, add);
	});
	manifest.seals.forEach((seal, i) => checkStamp(seal, `seals.${i}`, ctx, add));
	manifest.ridingSeams.forEach((seam, i) => checkStamp(seam, `ridingSeams.${i}`, ctx, add));
	return problems;
}

/**
 * Validates a well-formed manifest against its envelope and the current state (R1–R18, R20, R21).
 * Returns every problem rather than the first, so a refused submission says all that is wrong.
 */
export function validateManifest(
	envelope: Envelope,
	manifest: Manifest,
	ctx: ValidationContext
): Problem[] {
	const problems: Problem[] = [];
	const add = (code: ErrorCode, rule: string, path: string) => problems.push({ code, rule, path });
	// R8, R9, R10 count the current round only (LC2): a decision on an older revision is history.
	ctx = { ...ctx, accepted: currentRound(envelope, ctx.accepted) };

	if (manifest.envelopeId !== envelope.id) add('MANIFEST_INVALID', 'R1', 'envelopeId');
	if (manifest.docHash !== envelope.docHash) add('DOC_MISMATCH', 'R1', 'docHash');
	if (manifest.revision !== envelope.revision) add('DOC_REVISED', 'R2', 'revision');
	if (!openForSigning(envelope.status)) add('ENVELOPE_CLOSED', 'R3', 'envelopeId');
	const signer = envelope.signers.find((s) => s.id === manifest.signerId);
	if (!signer) {
		add('MANIFEST_INVALID', 'R4', 'signerId');
		return problems;
	}
	if (ctx.accepted.some((m) => m.signerId === manifest.signerId)) {
		add('MANIFEST_INVALID', 'R10', 'signerId');
	}
	if (!isSignersTurn(envelope, ctx.accepted, manifest.signerId))
		add('NOT_YOUR_TURN', 'R9', 'signerId');

	if (manifest.decision.kind === 'rejected') {
		const reason = manifest.decision.reason.trim();
		if (reason.length < 1 || [...reason].length > REASON_MAX)
			add('REASON_INVALID', 'R16', 'decision.reason');
		if (manifest.fills.length || manifest.seals.length || manifest.ridingSeams.length) {
			add('MANIFEST_INVALID', 'R16', 'fills');
		}
		return problems;
	}

	const filled = filledFields(ctx.accepted);
	const mine = new Set<string>();
	const pageCount = envelope.pages.length;
	const checkImage = (image: string, path: string) => {
		if (!ctx.images.has(image)) add('IMAGE_MISSING', 'R12', path);
	};
	const claim = (fieldId: string, path: string) => {
		if (filled.has(fieldId) || mine.has(fieldId)) add('FIELD_TAKEN', 'R8', path);
		mine.add(fieldId);
	};

	manifest.fills.forEach((fill, i) => {
		const path = `fills.${i}`;
		const field = envelope.fields.find((f) => f.id === fill.fieldId);
		if (!field) return add('FIELD_UNKNOWN', 'R5', path);
		if (field.signerId !== manifest.signerId) add('FIELD_NOT_YOURS', 'R6', path);
		if (field.kind !== fill.kind) add('FIELD_KIND_MISMATCH', 'R7', path);
		if (fill.page !== field.page || !sameRect(fill.rect, field.rect)) {
			add('MANIFEST_INVALID', 'R7', `${path}.rect`);
		}
		claim(fill.fieldId, path);
		if (fill.kind === 'signature' || fill.kind === 'seal') checkImage(fill.image, `${path}.image`);
		if (fill.kind === 'seal') checkStamp(fill, path, ctx, add);
		const size = envelope.pages[field.page - 1];
		if (!size) add('PAGE_OUT_OF_RANGE', 'R14', path);
		else if (fill.kind === 'seal') {
			const w = mmToPt(fill.sizeMm.width);
			const h = mmToPt(fill.sizeMm.height);
			const cx = field.rect.x + field.rect.width / 2;
			const cy = field.rect.y + field.rect.height / 2;
			if (!inside({ x: cx - w / 2, y: cy - h / 2, width: w, height: h }, size))
				add('POSITION_OUTSIDE_PAGE', 'R14', path);
		}
	});

	manifest.seals.forEach((seal, i) => {
		const path = `seals.${i}`;
		checkImage(seal.image, `${path}.image`);
		checkStamp(seal, path, ctx, add);
		const size = envelope.pages[seal.page - 1];
		if (!size) return add('PAGE_OUT_OF_RANGE', 'R14', `${path}.page`);
		const w = mmToPt(seal.sizeMm.width);
		const h = mmToPt(seal.sizeMm.height);
		const rect = { x: seal.centre.x - w / 2, y: seal.centre.y - h / 2, width: w, height: h };
		if (!inside(rect, size)) add('POSITION_OUTSIDE_PAGE', 'R14', `${path}.centre`);
	});

	manifest.ridingSeams.forEach((seam, i) => {
		const path = `ridingSeams.${i}`;
		checkImage(seam.image, `${path}.image`);
		checkStamp(seam, path, ctx, add);
		if (seam.fieldId) {
			const field = envelope.fields.find((f) => f.id === seam.fieldId);
			if (!field) add('FIELD_UNKNOWN', 'R5', `${path}.fieldId`);
			else {
				if (field.signerId !== manifest.signerId) add('FIELD_NOT_YOURS', 'R6', `${path}.fieldId`);
				if (field.kind !== 'riding-seam') add('FIELD_KIND_MISMATCH', 'R7', `${path}.fieldId`);
				claim(seam.fieldId, `${path}.fieldId`);
			}
		}
		const pages = seamPages(seam.pages, pageCount);
		const ascending = pages.every((p, k) => k === 0 || p > pages[k - 1]!);
		if (pages.length < 2 || !ascending || pages.some((p) => p < 1 || p > pageCount)) {
			add('PAGE_OUT_OF_RANGE', 'R15', `${path}.pages`);
			return;
		}
		const h = mmToPt(seam.sizeMm.height);
		for (const p of pages) {
			const size = envelope.pages[p - 1]!;
			const cy = seam.position * size.height;
			const sliceWidth = mmToPt(seam.sizeMm.width) / pages.length;
			if (cy - h / 2 < 0 || cy + h / 2 > size.height || sliceWidth > size.width) {
				add('POSITION_OUTSIDE_PAGE', 'R15', `${path}.position`);
				break;
			}
		}
	});

	for (const field of envelope.fields) {
		if (field.signerId === manifest.signerId && field.required && !mine.has(field.id)) {
			add('FIELD_MISSING', 'R11', `fields.${field.id}`);
		}
	}
	return problems;
}

/*
 * Conflicts of state first: a device that synced late most needs to hear that someone else got
 * there first (FIELD_TAKEN, NOT_YOUR_TURN, a revised or revoked document), not that its manifest
 * also breaks a rule that follows from the same race (e.g. R10 for a second device of one signer).
 */
const HEADLINE_ORDER: readonly ErrorCode[] = [
	'DOC_REVOKED',
	'ENVELOPE_CLOSED',
	'DOC_REVISED',
	'DOC_MISMATCH',
	'FIELD_TAKEN',
	'NOT_YOUR_TURN',
	'ORG_NOT_CERTIFIED',
	'SEAL_NOT_AUTHORISED',
	'SEAL_DISABLED'
];

/**
 * The one problem a refusal is reported under (R19): the first state conflict in HEADLINE_ORDER,
 * else the first problem found. The full list still travels with the refusal.
 */
export function headlineProblem(problems: readonly Problem[]): Problem | undefined {
	for (const code of HEADLINE_ORDER) {
		const hit = problems.find((p) => p.code === code);
		if (hit) return hit;
	}
	return problems[0];
}
