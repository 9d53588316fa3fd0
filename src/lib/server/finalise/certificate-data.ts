import Bowser from 'bowser';
import QRCode from 'qrcode';
import type { Manifest } from '$lib/domain/manifest';
import type { CertificateData, CertificateEvent, CertificateSigner } from '$lib/domain/certificate';
import { authenticatorName, maskContact, shortCredentialId } from '$lib/domain/completion';
import type { Db } from '../db/schema';
import type { StoredEnvelope } from '../contracts';
import { describeCertification } from '$lib/domain/personal-certification';

/** Times on the certificate are printed in China Standard Time, the customer's zone. */
export const CERTIFICATE_UTC_OFFSET_MINUTES = 480;

/** Where the certificate's QR code and link lead: the offline verify page of this server. */
export function verifyUrl(origin: string, documentId: string): string {
	return `${origin}/verify?doc=${encodeURIComponent(documentId)}`;
}

/** The QR code of a link as rows of dark (true) and light modules, for the certificate to draw. */
export function qrModules(text: string): boolean[][] {
	const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
	return Array.from({ length: modules.size }, (_, row) =>
		Array.from({ length: modules.size }, (_, col) => modules.get(row, col) === 1)
	);
}

/** Each seal a manifest stamps with, once, with the image of its first stamp (its thumbnail). */
function sealsStamped(manifest: Manifest): { sealId: string; image: string }[] {
	const seen = new Map<string, string>();
	for (const fill of manifest.fills) {
		if (fill.kind === 'seal' && !seen.has(fill.sealId)) seen.set(fill.sealId, fill.image);
	}
	for (const s of [...manifest.seals, ...manifest.ridingSeams]) {
		if (!seen.has(s.sealId)) seen.set(s.sealId, s.image);
	}
	return [...seen].map(([sealId, image]) => ({ sealId, image }));
}

/**
 * What the certificate of completion says about a completed contract (CE, C6), read from the
 * database: every accepted submission with its passkey, ticket and both clocks, the seals and
 * signature images it used, the contract's audit events and the anchored chain head. Returns the
 * data and the SHA-256 names of the images it needs; the caller loads those from the blob store.
 */
export async function certificateData(
	db: Db,
	stored: StoredEnvelope,
	input: { renderedSha256: string; origin: string }
): Promise<{ data: CertificateData; images: string[] }> {
	const { envelope } = stored;
	const row = await db
		.selectFrom('envelopes')
		.select(['created_at', 'sent_at', 'completed_at'])
		.where('id', '=', envelope.id)
		.executeTakeFirstOrThrow();
	const revisions = await db
		.selectFrom('envelope_revisions')
		.select(['revision', 'created_at', 'doc_sha256'])
		.where('envelope_id', '=', envelope.id)
		.orderBy('revision')
		.execute();
	// The certificate speaks for the round that completed (LC2); earlier rounds are history.
	const submissions = (
		await db
			.selectFrom('submissions')
			.innerJoin('users', 'users.id', 'submissions.user_id')
			.leftJoin('credentials', 'credentials.id', 'submissions.credential_id')
			.select([
				'submissions.id',
				'submissions.user_id',
				'submissions.credential_id',
				'submissions.ticket_id',
				'submissions.manifest_json',
				'submissions.received_at',
				'submissions.client_ip',
				'submissions.user_agent',
				'users.display_name',
				'users.real_name',
				'users.cert_level',
				'users.cert_method',
				'users.cert_provider',
				'credentials.aaguid'
			])
			.where('submissions.envelope_id', '=', envelope.id)
			.where('submissions.status', '=', 'accepted')
			.orderBy('submissions.seq')
			.execute()
	).filter((s) => (JSON.parse(s.manifest_json) as Manifest).revision === envelope.revision);
	const contacts = new Map(
		(
			await db
				.selectFrom('contract_signers')
				.select(['signer_id', 'contact'])
				.where('envelope_id', '=', envelope.id)
				.execute()
		).map((c) => [c.signer_id, c.contact])
	);
	const subjects = [envelope.id, ...submissions.map((s) => s.id)];
	const audit = await db
		.selectFrom('audit_log')
		.leftJoin('users', 'users.id', 'audit_log.actor')
		.select(['audit_log.at', 'audit_log.kind', 'audit_log.actor', 'audit_log.data'])
		.select(['users.display_name'])
		.where('audit_log.subject', 'in', subjects)
		.orderBy('audit_log.seq')
		.execute();
	const anchor = await db
		.selectFrom('audit_anchor')
		.select(['seq', 'hash', 'mac'])
		.where('id', '=', 1)
		.executeTakeFirst();
	const signed = submissions.map((s) => ({
		...s,
		manifest: JSON.parse(s.manifest_json) as Manifest
	}));
	const sealIds = [
		...new Set(signed.flatMap((s) => sealsStamped(s.manifest).map((x) => x.sealId)))
	];
	const sealNames = new Map(
		sealIds.length
			? (
					await db.selectFrom('seals').select(['id', 'name']).where('id', 'in', sealIds).execute()
				).map((s) => [s.id, s.name])
			: []
	);

	const images = new Set<string>();
	const signers: CertificateSigner[] = signed.map((s) => {
		const { manifest } = s;
		const signer = envelope.signers.find((x) => x.id === manifest.signerId);
		const party = envelope.parties.find((p) => p.id === signer?.partyId);
		const viewed = audit.find(
			(e) =>
				e.kind === 'envelope.viewed' &&
				e.actor === s.user_id &&
				(JSON.parse(e.data) as { revision?: number }).revision === envelope.revision
		);
		const seals = sealsStamped(manifest).map(({ sealId, image }) => {
			images.add(image);
			return { name: sealNames.get(sealId) ?? sealId, id: sealId, thumbnail: image };
		});
		const signature = manifest.fills.find((f) => f.kind === 'signature')?.image ?? null;
		if (signature) images.add(signature);
		return {
			name: s.real_name ?? s.display_name,
			contact: maskContact(contacts.get(manifest.signerId) ?? null),
			// The level and method stored at certification, simulated named as such (PC6, PC9).
			level: describeCertification({
				level: s.cert_level,
				method: s.cert_method,
				provider: s.cert_provider
			}),
			role: signer?.name ?? manifest.signerId,
			party: party?.name ?? '—',
			credentialId: shortCredentialId(s.credential_id),
			authenticator: authenticatorName(s.aaguid),
			confirmedAt: manifest.deviceTime,
			receivedAt: s.received_at,
			viewedAt: viewed?.at ?? null,
			// Null for submissions accepted before these were kept: printed as "not recorded".
			ip: s.client_ip,
			device: deviceName(s.user_agent),
			ticketId: s.ticket_id,
			decision: manifest.decision,
			seals,
			signature
		};
	});

	const sent = [...audit].reverse().find((e) => e.kind === 'envelope.sent');
	const events: CertificateEvent[] = audit.map((e) => ({
		at: e.at,
		kind: e.kind,
		actor: e.display_name ?? (e.actor === null ? 'SealPass' : e.actor)
	}));
	const url = verifyUrl(input.origin, envelope.id);
	const data: CertificateData = {
		documentId: envelope.id,
		title: stored.title,
		revisions: revisions.length
			? revisions.map((r) => ({ number: r.revision, at: r.created_at, sha256: r.doc_sha256 }))
			: [{ number: envelope.revision, at: row.created_at, sha256: envelope.docHash }],
		originalSha256: envelope.docHash,
		renderedSha256: input.renderedSha256,
		sender: { name: sent?.display_name ?? '—', contact: '—' },
		createdAt: row.created_at,
		sentAt: row.sent_at ?? row.created_at,
		completedAt:
			row.completed_at ?? submissions[submissions.length - 1]?.received_at ?? row.created_at,
		utcOffsetMinutes: CERTIFICATE_UTC_OFFSET_MINUTES,
		signers,
		events,
		chainHead: anchor
			? { seq: Number(anchor.seq), hash: anchor.hash, hmac: anchor.mac }
			: { seq: 0, hash: '—', hmac: '—' },
		verifyUrl: url,
		qr: qrModules(url)
	};
	return { data, images: [...images] };
}

/**
 * "iOS 18.1 · Safari 18.1" from a User-Agent, for a reader of the certificate; the raw string
 * stays in the database. Null when there was none or nothing in it is recognised.
 */
export function deviceName(userAgent: string | null): string | null {
	if (!userAgent) return null;
	const { os, browser } = Bowser.parse(userAgent);
	const part = (p: { name?: string; version?: string }) =>
		p.name ? [p.name, p.version?.split('.').slice(0, 2).join('.')].filter(Boolean).join(' ') : null;
	const parts = [part(os), part(browser)].filter((p): p is string => p !== null);
	return parts.length ? parts.join(' · ') : null;
}
