import { emptyDraft, type Draft } from '$lib/domain/draft';
import { localDate, oneClickDraft } from '$lib/domain/offline-signing';
import { deviceDb, type DeviceDb } from './db';

/**
 * 一键签名 / 一键盖章 from what the device holds (D6): the saved signature (meta
 * 'defaultSignature', its PNG in `blobs`), the first seal kept for offline use, today's date.
 * Resolves to null when nothing could be filled, so the page can say what is missing.
 */
export async function oneClickDraftFor(
	envelopeId: string,
	now: Date,
	db: DeviceDb = deviceDb()
): Promise<Draft | null> {
	const row = await db.envelopes.get(envelopeId);
	const envelope = row?.definition;
	if (!envelope) return null;
	const signerIds = row.mySignerIds?.length ? row.mySignerIds : envelope.signers.map((s) => s.id);
	const saved = (await db.meta.get('defaultSignature'))?.value;
	const signature = typeof saved === 'string' && (await db.blobs.get(saved)) ? saved : null;
	const seal = (await db.seals.orderBy('id').first()) ?? null;
	const draft = oneClickDraft(emptyDraft(), envelope, signerIds, {
		signature,
		seal: seal && { id: seal.id, image: seal.image, sizeMm: seal.sizeMm },
		today: localDate(now)
	});
	return Object.keys(draft.fills).length > 0 ? draft : null;
}
