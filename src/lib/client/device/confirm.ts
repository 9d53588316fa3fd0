import {
	bufferToBase64URLString,
	startAuthentication,
	type AuthenticationResponseJSON
} from '@simplewebauthn/browser';
import type { Envelope } from '$lib/domain/envelope';
import { manifestImages, type Decision, type Manifest } from '$lib/domain/manifest';
import { composeManifest, type Draft } from '$lib/domain/draft';
import { manifestChallenge, manifestHash, sha256Hex } from '$lib/domain/canonical';
import { pickTicket } from '$lib/domain/offline-signing';
import { headlineProblem, sealProblems } from '$lib/domain/rules';
import { ApiError } from '../api';
import { ceremonyError } from '../passkeys';
import { deviceCredential, type DeviceCredential } from './tickets';
import { currentOrganisation } from './organisation';
import { inOrganisation } from '$lib/domain/inbox';
import { cjkFontHash } from './cjk-font';
import { kitSealContext } from './signing-kit';
import { deviceDb, type DeviceDb, type DeviceEnvelope, type OutboxRow } from './db';
import { isQuotaError } from './quota';
import { BACKGROUND_SYNC_TAG, OUTBOX_EVENT } from './sync/names';

/** No new images: the draft draws only with bytes the device already holds. */
export const NO_IMAGES: ReadonlyMap<string, Uint8Array> = new Map();

/** The device clock; injected into the flow so the rules never read it themselves. */
export const deviceClock = (): Date => new Date();

/** The pages a manifest draws on, ascending; a seam over every page counts as page 1. */
export function pagesOf(manifest: Manifest): number[] {
	const pages = new Set<number>();
	for (const f of manifest.fills) pages.add(f.page);
	for (const s of manifest.seals) pages.add(s.page);
	for (const seam of manifest.ridingSeams) {
		for (const p of seam.pages === 'all' ? [1] : seam.pages) pages.add(p);
	}
	return [...pages].sort((a, b) => a - b);
}

/** Everything a confirmation needs about the contract and this device, read once from Dexie. */
export interface ConfirmContext {
	row: DeviceEnvelope;
	envelope: Envelope;
	signerId: string;
	credential: DeviceCredential;
}

/** A composed manifest and what the passkey will sign. */
export interface Composed {
	manifest: Manifest;
	manifestHash: string;
	/** The image hashes the manifest draws with (OutboxRow.images). */
	images: string[];
}

/**
 * Whether an unsynced or accepted decision of this signer on this revision already waits on the
 * device. A decision on an earlier revision belongs to an earlier round (SPEC LC2): after a
 * resend the signer who returned the contract decides again.
 */
export async function decided(
	db: DeviceDb,
	envelopeId: string,
	signerId: string,
	revision: number
): Promise<boolean> {
	const rows = await db.outbox.where('envelopeId').equals(envelopeId).toArray();
	// A refused row ('failed') is evidence, not a decision: the signer may decide again.
	return rows.some(
		(r) =>
			r.manifest.signerId === signerId && r.manifest.revision === revision && r.state !== 'failed'
	);
}

/**
 * Reads the contract and the device passkey for a confirmation, before anything is drawn or
 * asked: a contract that is not on the device (NOT_FOUND), a device with no recorded passkey
 * (DEVICE_PASSKEY_MISSING) or a decision already taken here (ALREADY_DECIDED) is said up front,
 * while the signer's marks are still on screen.
 */
export async function loadContext(
	envelopeId: string,
	draft: Draft,
	db: DeviceDb = deviceDb()
): Promise<ConfirmContext> {
	const row = await db.envelopes.get(envelopeId);
	if (!row?.definition || row.downloadedAt === null) {
		throw new ApiError('NOT_FOUND', 0, 'The contract is not on this device');
	}
	const envelope = row.definition;
	// The device holds tickets of the current membership only (MO8): signing another
	// organisation's contract with one would be ingested there and refused.
	if (!inOrganisation(row, await currentOrganisation(db))) {
		throw new ApiError('ORG_NOT_CURRENT', 0, 'The contract is of another organisation');
	}
	const credential = await deviceCredential(db);
	if (!credential) throw new ApiError('DEVICE_PASSKEY_MISSING', 0, 'No device passkey');
	// The signer whose fields the draft fills; rows from before mySignerIds fall back to any.
	const mine = row.mySignerIds?.length ? row.mySignerIds : envelope.signers.map((s) => s.id);
	const filled = new Set(envelope.fields.filter((f) => draft.fills[f.id]).map((f) => f.signerId));
	const signerId = mine.find((s) => filled.has(s)) ?? mine[0];
	if (!signerId) throw new ApiError('FIELD_NOT_YOURS', 0, 'No signer of this contract is you');
	if (row.myState !== 'pending' || (await decided(db, envelopeId, signerId, envelope.revision))) {
		throw new ApiError('ALREADY_DECIDED', 0, 'Already decided on this device');
	}
	return { row, envelope, signerId, credential };
}

/**
 * Turns the draft into the manifest the passkey signs (composeManifest), naming a held ticket
 * of the device passkey (D2) and the device clock. A rejection draws nothing, so its image list
 * is empty. Throws TICKETS_EXHAUSTED when no usable ticket is left, and the seal rules' code
 * (SEAL_NOT_AUTHORISED, SEAL_IMAGE_MISMATCH, SEAL_SIZE_MISMATCH) when a stamp is not one of the
 * device's seals as it holds them (SK5).
 */
export async function compose(
	ctx: ConfirmContext,
	decision: Decision,
	draft: Draft,
	now: Date,
	db: DeviceDb = deviceDb()
): Promise<Composed> {
	const tickets = await db.tickets
		.where('credentialId')
		.equals(ctx.credential.credentialId)
		.toArray();
	const ticket = pickTicket(tickets, ctx.credential.credentialId, now);
	if (!ticket) throw new ApiError('TICKETS_EXHAUSTED', 0, 'No usable ticket on this device');
	const manifest = composeManifest({
		envelope: ctx.envelope,
		signerId: ctx.signerId,
		credentialId: ctx.credential.credentialId,
		ticket,
		deviceTime: now.toISOString(),
		decision,
		draft
	});
	// The server refuses a stamp that is not its seal (R13, R20, R21); the device asks the same
	// rule of its own seals first, before the passkey, so a stale stamp is re-done now, not
	// discovered as a refusal after sync.
	const problem = headlineProblem(
		sealProblems(
			manifest,
			kitSealContext(await db.seals.toArray(), now, (await db.meta.get('orgCertState'))?.value)
		)
	);
	if (problem) {
		throw new ApiError(problem.code, 0, `Rule ${problem.rule} failed at ${problem.path}`);
	}
	return {
		manifest,
		manifestHash: await manifestHash(manifest),
		images: manifestImages(manifest)
	};
}

/**
 * Gathers render()'s inputs from the device: the original, the accepted manifests + this one
 * in the server's order (accepted first), every image they draw (from `blobs`, or the new
 * images still held in memory), and the CJK font when any of them writes date text. A missing
 * piece is named (IMAGE_MISSING, FONT_MISSING) instead of rendering something else.
 */
export async function previewInputs(
	ctx: ConfirmContext,
	manifest: Manifest,
	newImages: ReadonlyMap<string, Uint8Array>,
	db: DeviceDb = deviceDb()
): Promise<{
	original: Uint8Array;
	manifests: Manifest[];
	assets: Map<string, Uint8Array>;
	font?: Uint8Array;
}> {
	const original = await db.blobs.get(ctx.row.docHash);
	if (!original) throw new ApiError('NOT_FOUND', 0, 'The contract copy is missing');
	const manifests = [...(ctx.row.accepted ?? []), manifest];
	const assets = new Map<string, Uint8Array>();
	let needsFont = false;
	for (const m of manifests) {
		if (m.decision.kind !== 'signed') continue;
		needsFont ||= m.fills.some((f) => f.kind === 'date');
		for (const hash of manifestImages(m)) {
			if (assets.has(hash)) continue;
			const held = newImages.get(hash) ?? (await blobBytes(db, hash));
			if (!held) throw new ApiError('IMAGE_MISSING', 0, `Image ${hash} is not on this device`);
			assets.set(hash, held);
		}
	}
	let font: Uint8Array | undefined;
	if (needsFont) {
		const hash = await cjkFontHash(db);
		font = hash ? await blobBytes(db, hash) : undefined;
		if (!font) throw new ApiError('FONT_MISSING', 0, 'The CJK font is not on this device');
	}
	return { original: new Uint8Array(await original.data.arrayBuffer()), manifests, assets, font };
}

async function blobBytes(db: DeviceDb, hash: string): Promise<Uint8Array | undefined> {
	const blob = await db.blobs.get(hash);
	return blob ? new Uint8Array(await blob.data.arrayBuffer()) : undefined;
}

/**
 * The passkey ceremony over the manifest: challenge = SHA-256 of its canonical form, user
 * verification required, and only the device passkey the manifest names may answer (its
 * credentialId is inside the signed bytes; another passkey's assertion would never verify).
 * Works offline: nothing is fetched. Throws ApiError (PASSKEY_CANCELLED, UV_REQUIRED, …).
 */
export async function askPasskey(manifest: Manifest): Promise<AuthenticationResponseJSON> {
	const challenge = await manifestChallenge(manifest);
	try {
		return await startAuthentication({
			optionsJSON: {
				challenge: bufferToBase64URLString(challenge.buffer),
				rpId: location.hostname,
				allowCredentials: [{ id: manifest.credentialId, type: 'public-key' }],
				userVerification: 'required',
				timeout: 120_000
			}
		});
	} catch (error) {
		throw ceremonyError(error) ?? new ApiError('PASSKEY_CANCELLED', 0, String(error));
	}
}

/** What the one confirming transaction writes. */
export interface Confirmation {
	ctx: ConfirmContext;
	composed: Composed;
	assertion: AuthenticationResponseJSON;
	previewHash: string | null;
	/** Image bytes held in memory (a freshly drawn signature) that `blobs` may lack. */
	newImages: ReadonlyMap<string, Uint8Array>;
	now: Date;
}

/**
 * Writes a confirmed decision in ONE Dexie transaction: the new images, the outbox
 * row (pending, a fresh idempotency key), the ticket marked spent by that row, and the envelope's
 * myState. Awaiting the transaction, not its operations, is what makes the UI move on only
 * after the commit; a crash or a closed tab before it leaves none of the four. Throws ApiError:
 * TICKET_USED (another tab spent the ticket: compose again), ALREADY_DECIDED, IMAGE_MISSING,
 * STORAGE_FULL, SAVE_FAILED. Resolves to the outbox row id.
 */
export async function commitConfirmation(
	c: Confirmation,
	db: DeviceDb = deviceDb()
): Promise<number> {
	const { ctx, composed, assertion, now } = c;
	const envelopeId = ctx.envelope.id;
	const verified = new Map<string, Uint8Array>();
	for (const hash of composed.images) {
		const bytes = c.newImages.get(hash);
		// Content addressing: the bytes stored under a hash must be those bytes.
		if (bytes && (await sha256Hex(bytes)) === hash) verified.set(hash, bytes);
	}
	try {
		return await db.transaction('rw', [db.blobs, db.outbox, db.tickets, db.envelopes], async () => {
			const ticket = await db.tickets.get(composed.manifest.ticket.id);
			if (!ticket || ticket.spentBy !== null) {
				throw new ApiError('TICKET_USED', 0, 'The ticket was spent meanwhile');
			}
			const row = await db.envelopes.get(envelopeId);
			if (!row) throw new ApiError('NOT_FOUND', 0, 'The contract left this device');
			if (await decided(db, envelopeId, ctx.signerId, ctx.envelope.revision)) {
				throw new ApiError('ALREADY_DECIDED', 0, 'Already decided on this device');
			}
			for (const hash of composed.images) {
				if (await db.blobs.get(hash)) continue;
				const bytes = verified.get(hash);
				if (!bytes) throw new ApiError('IMAGE_MISSING', 0, `Image ${hash} is not held`);
				await db.blobs.put({
					sha256: hash,
					data: new Blob([new Uint8Array(bytes)], { type: 'image/png' }),
					size: bytes.byteLength,
					type: 'image/png'
				});
			}
			const outbox: OutboxRow = {
				createdAt: now.toISOString(),
				credentialId: ctx.credential.credentialId,
				envelopeId,
				manifest: composed.manifest,
				manifestHash: composed.manifestHash,
				idempotencyKey: crypto.randomUUID(),
				assertion,
				images: composed.images,
				previewHash: c.previewHash,
				confirmedOffline: typeof navigator !== 'undefined' && navigator.onLine === false,
				state: 'pending',
				attempts: 0,
				nextAttemptAt: null,
				error: null,
				result: null,
				syncedAt: null
			};
			const id = (await db.outbox.add(outbox)) as number;
			await db.tickets.update(ticket.id, { spentBy: id });
			await db.envelopes.put({
				...row,
				myState: composed.manifest.decision.kind === 'signed' ? 'signed' : 'rejected'
			});
			return id;
		});
	} catch (error) {
		if (error instanceof ApiError) throw error;
		if (isQuotaError(error)) throw new ApiError('STORAGE_FULL', 0, 'Quota exceeded');
		throw new ApiError('SAVE_FAILED', 0, error instanceof Error ? error.message : String(error));
	}
}

/**
 * Tells the sync engine a row is waiting (it listens for OUTBOX_EVENT) and asks for
 * Background Sync where the browser has it, so the upload happens even if the tab closes.
 */
export function announceOutbox(): void {
	window.dispatchEvent(new Event(OUTBOX_EVENT));
	void navigator.serviceWorker?.getRegistration().then(
		(registration) =>
			(
				registration as
					| (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
					| undefined
			)?.sync
				?.register(BACKGROUND_SYNC_TAG)
				.catch(() => undefined),
		() => undefined
	);
}

const IN_FLIGHT = 'sealpass:confirming:';

/**
 * Notes, synchronously and outside IndexedDB, that a confirmation of this envelope has reached
 * the passkey. If the tab dies before the commit, the note survives and the next visit can say
 * "interrupted, nothing recorded" instead of leaving the signer to wonder (proof 7).
 */
export function markInFlight(envelopeId: string, manifestHash: string): void {
	try {
		localStorage.setItem(IN_FLIGHT + envelopeId, manifestHash);
	} catch {
		// Storage blocked: the confirmation still works, only the interruption notice is lost.
	}
}

/** Forgets the note: the confirmation committed, or the signer stopped it on purpose. */
export function clearInFlight(envelopeId: string): void {
	try {
		localStorage.removeItem(IN_FLIGHT + envelopeId);
	} catch {
		// Nothing to clear.
	}
}

/**
 * Whether a confirmation of this envelope was interrupted before it committed: a note is left
 * and no outbox row carries its manifest hash. A note whose row exists (the tab closed right
 * after the commit) is cleared: the signature is wholly there.
 */
export async function wasInterrupted(
	envelopeId: string,
	db: DeviceDb = deviceDb()
): Promise<boolean> {
	let hash: string | null = null;
	try {
		hash = localStorage.getItem(IN_FLIGHT + envelopeId);
	} catch {
		return false;
	}
	if (!hash) return false;
	const saved = await db.outbox
		.where('envelopeId')
		.equals(envelopeId)
		.filter((r) => r.manifestHash === hash)
		.count();
	if (saved > 0) clearInFlight(envelopeId);
	return saved === 0;
}
