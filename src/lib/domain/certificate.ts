/**
 * What the certificate of completion shows (CE1–CE7): the contract, every signer's passkey
 * evidence with the device's and the server's time, the audit events and the anchored chain
 * head. Plain data, filled by the server at finalisation and drawn by src/lib/pdf/certificate.ts.
 * Images are named by the SHA-256 of their PNG bytes, as in manifests, and passed beside.
 */

/** One revision of the contract: its number, when it was sent, the SHA-256 of its original. */
export interface CertificateRevision {
	number: number;
	/** ISO 8601 instant (server time). */
	at: string;
	sha256: string;
}

export interface CertificateSeal {
	name: string;
	/** The seal's id in SealPass. */
	id: string;
	/** SHA-256 of the thumbnail PNG, a key into the images passed with the data. */
	thumbnail: string;
}

export interface CertificateSigner {
	name: string;
	/** Contact already masked by the caller (e.g. 138****5678); the certificate prints it as is. */
	contact: string;
	/** How the signer's identity was established (certification level), as shown to people. */
	level: string;
	/** Their role in the contract (e.g. 甲方 / Party A) and the party they sign for. */
	role: string;
	party: string;
	/** The passkey credential id, short form (first and last characters). */
	credentialId: string;
	/** The authenticator's name from its AAGUID, or null when not known. */
	authenticator: string | null;
	/** When the device says the passkey confirmed (ISO 8601, the device's clock). */
	confirmedAt: string;
	/** When the server received the signed manifest (ISO 8601, the server's clock). */
	receivedAt: string;
	/** When the signer first opened this revision (server time), or null when not recorded. */
	viewedAt: string | null;
	/** Network address and device (browser and OS) of the upload, or null when not recorded. */
	ip: string | null;
	device: string | null;
	ticketId: string;
	decision: { kind: 'signed' } | { kind: 'rejected'; reason: string };
	seals: CertificateSeal[];
	/** SHA-256 of the signature PNG, or null for a signer who placed none. */
	signature: string | null;
}

export interface CertificateEvent {
	/** ISO 8601 instant (server time). */
	at: string;
	kind: string;
	actor: string;
}

/** The newest audit-chain entry, as anchored (signed) by the server. */
export interface ChainHead {
	seq: number;
	hash: string;
	hmac: string;
}

export interface CertificateData {
	documentId: string;
	title: string;
	revisions: CertificateRevision[];
	/** SHA-256 of the original PDF of the current revision and of the rendered (stamped) PDF. */
	originalSha256: string;
	renderedSha256: string;
	/** Who sent the contract for signing (the originator): name and masked contact. */
	sender: { name: string; contact: string };
	createdAt: string;
	sentAt: string;
	completedAt: string;
	/** Offset from UTC in minutes in which times are printed (480 = China Standard Time). */
	utcOffsetMinutes: number;
	signers: CertificateSigner[];
	events: CertificateEvent[];
	chainHead: ChainHead;
	verifyUrl: string;
	/** The QR code of `verifyUrl` as dark (true) / light modules, row by row, made by the caller. */
	qr: boolean[][];
}

/** Below this a confirmation counts as made online: the ordinary delay of an upload. */
export const ONLINE_GAP_MS = 60_000;

export type Gap =
	| { kind: 'online' }
	| { kind: 'offline'; minutes: number }
	| { kind: 'clock-ahead'; minutes: number };

/**
 * How the device's confirmation time relates to the server's receipt (CE4). The device time is
 * the device's own claim: a receipt more than a minute later means the passkey confirmed while
 * offline; a receipt before the confirmation means the device clock was ahead. Both are shown.
 */
export function offlineGap(confirmedAt: string, receivedAt: string): Gap {
	const delta = Date.parse(receivedAt) - Date.parse(confirmedAt);
	if (Number.isNaN(delta)) throw new RangeError('offlineGap: not an ISO 8601 time');
	if (delta < 0) return { kind: 'clock-ahead', minutes: Math.round(-delta / 60_000) };
	if (delta < ONLINE_GAP_MS) return { kind: 'online' };
	return { kind: 'offline', minutes: Math.floor(delta / 60_000) };
}

/** A duration in both languages: "3 小时 12 分钟" and "3 h 12 min" (days beyond 48 h). */
export function formatDuration(minutes: number): { zh: string; en: string } {
	const d = Math.floor(minutes / 1440);
	const h = Math.floor((minutes % 1440) / 60);
	const m = minutes % 60;
	if (minutes >= 2880) {
		return { zh: `${d} 天 ${h} 小时`, en: `${d} d ${h} h` };
	}
	const hours = Math.floor(minutes / 60);
	if (hours === 0) return { zh: `${m} 分钟`, en: `${m} min` };
	return { zh: `${hours} 小时 ${m} 分钟`, en: `${hours} h ${m} min` };
}

/** The gap as the certificate states it, in both languages (CE4). */
export function describeGap(gap: Gap): { zh: string; en: string } {
	if (gap.kind === 'online') {
		return {
			zh: '在线确认，一分钟内送达服务器',
			en: 'confirmed online, reached the server within a minute'
		};
	}
	const t = formatDuration(gap.minutes);
	if (gap.kind === 'offline') {
		return {
			zh: `离线确认，${t.zh}后送达服务器`,
			en: `confirmed offline ${t.en} before it reached the server`
		};
	}
	return {
		zh: `设备时钟比服务器快约 ${t.zh}`,
		en: `the device clock was about ${t.en} ahead of the server`
	};
}

/**
 * An instant printed at a fixed UTC offset, "2026-03-01 09:15:02 UTC+08:00": no locale, no
 * time-zone database, so the same bytes in every runtime (CE6).
 */
export function formatInstant(iso: string, utcOffsetMinutes: number): string {
	const ms = Date.parse(iso);
	if (Number.isNaN(ms)) throw new RangeError(`formatInstant: not an ISO 8601 time: ${iso}`);
	const t = new Date(ms + utcOffsetMinutes * 60_000);
	const p = (n: number, w = 2) => String(n).padStart(w, '0');
	const sign = utcOffsetMinutes < 0 ? '-' : '+';
	const abs = Math.abs(utcOffsetMinutes);
	return (
		`${p(t.getUTCFullYear(), 4)}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ` +
		`${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} ` +
		`UTC${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`
	);
}
