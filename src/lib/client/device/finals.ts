// A finished contract's files on the device: the signed final PDF and the evidence archive,
// fetched from the server, checked against the contract's finalSha256, kept in the store that
// db.ts defines, and handed back for saving offline.
import { sha256Hex } from '$lib/domain/canonical';
import type { ErrorCode } from '$lib/domain/errors';
import { ApiError, asApiError } from '../api';
import { isQuotaError } from './quota';
import { downloadBytes, type Progress } from './downloads';
import {
	deviceDb,
	type DeviceDb,
	type DeviceEnvelope,
	type DeviceFinalFile,
	type FinalKind
} from './db';

export type { FinalKind };

/** Where each file comes from, what it is, and how a saved copy is named after the contract. */
const FILES: Record<FinalKind, { path: string; type: string; suffix: string }> = {
	pdf: { path: 'final', type: 'application/pdf', suffix: '-signed.pdf' },
	evidence: { path: 'evidence', type: 'application/zip', suffix: '-evidence.zip' }
};

/** Which files each envelope has on the device (envelope id → kinds kept). */
export type KeptFinals = Record<string, FinalKind[]>;

/** Groups the finals table's keys by envelope, for the cards. */
export function keptFinals(keys: readonly (readonly [string, FinalKind])[]): KeptFinals {
	const kept: KeptFinals = {};
	for (const [id, kind] of keys) (kept[id] ??= []).push(kind);
	return kept;
}

/**
 * The envelopes whose signed final PDF the device fetches by itself: completed, finalised (the
 * server sent finalSha256) and not kept yet. The evidence archive is never fetched unasked.
 */
export function finalsToFetch(
	rows: readonly Pick<DeviceEnvelope, 'id' | 'status' | 'finalSha256'>[],
	kept: KeptFinals
): string[] {
	return rows
		.filter((r) => r.status === 'completed' && r.finalSha256 && !kept[r.id]?.includes('pdf'))
		.map((r) => r.id);
}

/**
 * The name a saved copy gets: the contract's title and "-signed.pdf" or "-evidence.zip". Path
 * separators and characters Windows refuses in file names become "_", so a title such as
 * "A/B 合同" saves as one file named after it rather than failing or landing elsewhere.
 */
export function finalFileName(title: string, kind: FinalKind): string {
	const base = title
		// eslint-disable-next-line no-control-regex
		.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')
		.replace(/\s+/g, ' ')
		.trim()
		.replace(/^\.+/, '')
		.slice(0, 150);
	return (base || 'contract') + FILES[kind].suffix;
}

/**
 * Checks downloaded bytes before anything is kept. The PDF must hash to finalSha256. The archive
 * has no hash of its own to compare (it is made when asked for), so it must be a well-formed
 * archive of this contract whose final PDF is that same file.
 */
async function checkBytes(
	id: string,
	kind: FinalKind,
	finalSha256: string,
	bytes: Uint8Array
): Promise<void> {
	if (kind === 'pdf') {
		if ((await sha256Hex(bytes)) === finalSha256) return;
		throw new ApiError('DOWNLOAD_CORRUPT', 0, `The final PDF does not hash to ${finalSha256}`);
	}
	// Loaded only here: the archive reader (zip, schema) is not needed to show the inbox.
	const { unpackEvidence } = await import('$lib/evidence/format');
	const unpacked = await unpackEvidence(bytes);
	if (
		unpacked.ok &&
		unpacked.bundle.envelope.id === id &&
		unpacked.bundle.finalPdf &&
		(await sha256Hex(unpacked.bundle.finalPdf)) === finalSha256
	) {
		return;
	}
	throw new ApiError(
		'DOWNLOAD_CORRUPT',
		0,
		unpacked.ok
			? `The archive is not the evidence of ${id} with final PDF ${finalSha256}`
			: unpacked.message
	);
}

/**
 * Fetches one file of a finalised contract and keeps it on the device. Nothing is written unless
 * the bytes passed checkBytes, and nothing is written for an envelope the device forgot while
 * the download ran (its files go with its row). Throws ApiError with a stable code: NOT_FOUND
 * (not finalised, or no longer on the device), NETWORK, STORAGE_FULL, DOWNLOAD_CORRUPT, or the
 * server's refusal.
 */
export async function keepFinal(
	id: string,
	kind: FinalKind,
	onProgress: (p: Progress) => void = () => {},
	db: DeviceDb = deviceDb()
): Promise<DeviceFinalFile> {
	const finalSha256 = (await db.envelopes.get(id))?.finalSha256;
	if (!finalSha256) throw new ApiError('NOT_FOUND', 0, `Contract ${id} has no final PDF yet`);
	const bytes = await downloadBytes(
		`/api/envelopes/${encodeURIComponent(id)}/${FILES[kind].path}`,
		onProgress
	);
	await checkBytes(id, kind, finalSha256, bytes);
	const file: DeviceFinalFile = {
		envelopeId: id,
		kind,
		sha256: kind === 'pdf' ? finalSha256 : await sha256Hex(bytes),
		data: new Blob([bytes], { type: FILES[kind].type }),
		size: bytes.byteLength,
		storedAt: new Date().toISOString()
	};
	// As in downloadEnvelope: a full disk aborts at commit, and only the native transaction's
	// error says why.
	let native: IDBTransaction | null = null;
	try {
		await db.transaction('rw', db.envelopes, db.finals, async (tx) => {
			native = tx.idbtrans;
			if ((await db.envelopes.get(id))?.finalSha256 !== finalSha256) {
				throw new ApiError('NOT_FOUND', 0, `Contract ${id} is no longer on this device`);
			}
			await db.finals.put(file);
		});
	} catch (error) {
		if (isQuotaError(error) || isQuotaError((native as IDBTransaction | null)?.error)) {
			throw new ApiError('STORAGE_FULL', 0, 'Quota exceeded');
		}
		throw error;
	}
	return file;
}

/** A file kept on the device, or undefined: what the card saves, online or not. */
export function keptFinal(
	id: string,
	kind: FinalKind,
	db: DeviceDb = deviceDb()
): Promise<DeviceFinalFile | undefined> {
	return db.finals.get([id, kind]);
}

/**
 * Failures that end a background run instead of moving to the next contract: without room,
 * network or session the next download fails the same way. The device keeps working with
 * what it has; the next run (next visit, back online) tries again.
 */
const STOPS: ReadonlySet<ErrorCode> = new Set(['STORAGE_FULL', 'NETWORK', 'UNAUTHENTICATED']);

export interface FetchFinalsResult {
	kept: string[];
	/** Per contract: why its final PDF was not kept (e.g. DOWNLOAD_CORRUPT). */
	errors: Record<string, ApiError>;
	/** The failure that ended the run early and the contract it met, or null. */
	stopped: { id: string; error: ApiError } | null;
}

/**
 * Fetches, one after another, the final PDF of every contract finalsToFetch names. The list is
 * read again after each file, so a contract finalised during the run is fetched by it too; each
 * contract is tried once per run, and never when it is in `skip` (it failed earlier).
 */
export async function fetchMissingFinals(
	hooks: {
		skip?: ReadonlySet<string>;
		onStart?: (id: string) => void;
		onProgress?: (id: string, p: Progress) => void;
		/** After each contract, kept or not. */
		onEnd?: (id: string) => void;
	} = {},
	db: DeviceDb = deviceDb()
): Promise<FetchFinalsResult> {
	const result: FetchFinalsResult = { kept: [], errors: {}, stopped: null };
	const tried = new Set(hooks.skip);
	for (;;) {
		const [rows, keys] = await Promise.all([
			db.envelopes.toArray(),
			db.finals.toCollection().primaryKeys()
		]);
		const id = finalsToFetch(rows, keptFinals(keys)).find((i) => !tried.has(i));
		if (!id) return result;
		tried.add(id);
		hooks.onStart?.(id);
		try {
			await keepFinal(id, 'pdf', (p) => hooks.onProgress?.(id, p), db);
			result.kept.push(id);
		} catch (error) {
			const failure = asApiError(error);
			if (STOPS.has(failure.code)) {
				result.stopped = { id, error: failure };
				return result;
			}
			result.errors[id] = failure;
		} finally {
			hooks.onEnd?.(id);
		}
	}
}
