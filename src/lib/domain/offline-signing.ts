import type { Envelope } from './envelope';
import type { Draft, DraftFill } from './draft';
import type { SizeMm } from './manifest';
import { REASON_MAX } from './rules';

/** A challenge ticket as the device holds it (the fields the rules need). */
export interface HeldTicket {
	id: string;
	nonce: string;
	credentialId: string;
	expiresAt: string;
	spentBy: number | null;
}

/** Fewer usable tickets than this and the UI warns: the signer should come online soon (D3). */
export const TICKETS_LOW = 5;
/** A pool whose first ticket expires within this time is "about to expire" (D3). */
export const EXPIRY_WARNING_MS = 3 * 86_400_000;
/**
 * A ticket must outlive the confirmation by this much: one that expires while the signer is
 * still deciding would be refused at sync as TICKET_EXPIRED, and the signature would be lost (D1).
 */
export const TICKET_MARGIN_MS = 60_000;

/** D1: a ticket this credential may still spend at `now`. */
export function isUsable(ticket: HeldTicket, credentialId: string, now: Date): boolean {
	return (
		ticket.credentialId === credentialId &&
		ticket.spentBy === null &&
		Date.parse(ticket.expiresAt) > now.getTime() + TICKET_MARGIN_MS
	);
}

/**
 * D2: the ticket a confirmation spends: the usable one that expires first, so the pool wears
 * out in the order it goes stale. Ties go to the smaller id, so the choice never depends on
 * the order IndexedDB returned the rows.
 */
export function pickTicket(
	tickets: readonly HeldTicket[],
	credentialId: string,
	now: Date
): HeldTicket | null {
	let best: HeldTicket | null = null;
	for (const t of tickets) {
		if (!isUsable(t, credentialId, now)) continue;
		if (!best || t.expiresAt < best.expiresAt || (t.expiresAt === best.expiresAt && t.id < best.id))
			best = t;
	}
	return best;
}

export type SupplyWarning = 'none' | 'low' | 'expiring' | 'empty';

export interface TicketSupply {
	/** How many more signatures this device can confirm offline. */
	remaining: number;
	/** When the first usable ticket expires (the honest "until"); null when none is left. */
	until: string | null;
	warning: SupplyWarning;
}

/**
 * D3: what the UI says about offline signing: the count of usable tickets, the earliest expiry,
 * and a warning when none is left, fewer than TICKETS_LOW, or the first expires within
 * EXPIRY_WARNING_MS. "empty" wins over "expiring", which wins over "low".
 */
export function ticketSupply(
	tickets: readonly HeldTicket[],
	credentialId: string | null,
	now: Date
): TicketSupply {
	const usable = credentialId ? tickets.filter((t) => isUsable(t, credentialId, now)) : [];
	if (usable.length === 0) return { remaining: 0, until: null, warning: 'empty' };
	const until = usable.reduce((a, t) => (t.expiresAt < a ? t.expiresAt : a), usable[0]!.expiresAt);
	const warning =
		Date.parse(until) - now.getTime() <= EXPIRY_WARNING_MS
			? 'expiring'
			: usable.length < TICKETS_LOW
				? 'low'
				: 'none';
	return { remaining: usable.length, until, warning };
}

/**
 * D4: which held tickets the device may forget: expired unspent ones (useless), and spent ones
 * whose outbox row is synced (the server has used them). A spent ticket of an unsynced row stays:
 * it is part of the evidence the row carries until the server has it.
 */
export function prunableTickets(
	tickets: readonly HeldTicket[],
	syncedOutboxIds: ReadonlySet<number>,
	now: Date
): string[] {
	return tickets
		.filter((t) =>
			t.spentBy === null ? Date.parse(t.expiresAt) <= now.getTime() : syncedOutboxIds.has(t.spentBy)
		)
		.map((t) => t.id);
}

export interface ReasonCheck {
	ok: boolean;
	/** Characters after trimming, counted in code points as R16 counts them. */
	length: number;
	max: number;
}

/** D5: the 退回 dialog's live check, the same rule the server applies (R16). */
export function checkReason(reason: string): ReasonCheck {
	const length = [...reason.trim()].length;
	return { ok: length >= 1 && length <= REASON_MAX, length, max: REASON_MAX };
}

/** A seal the signer may stamp with (the fields a one-click stamp needs). */
export interface UsableSeal {
	id: string;
	image: string;
	sizeMm: SizeMm;
}

/**
 * D6: 一键签名 / 一键盖章: fills every empty field of the signer's with the saved signature,
 * the first usable seal and today's date (YYYY-MM-DD on the device's calendar), leaving fields
 * already marked as they are. A kind with nothing to fill it with stays empty, so the missing
 * piece shows up as a missing required field instead of a wrong mark.
 */
export function oneClickDraft(
	draft: Draft,
	envelope: Envelope,
	signerIds: readonly string[],
	marks: { signature: string | null; seal: UsableSeal | null; today: string }
): Draft {
	const fills: Record<string, DraftFill> = { ...draft.fills };
	for (const field of envelope.fields) {
		if (!signerIds.includes(field.signerId) || fills[field.id]) continue;
		if (field.kind === 'signature' && marks.signature) {
			fills[field.id] = { kind: 'signature', image: marks.signature };
		} else if (field.kind === 'seal' && marks.seal) {
			const { id, image, sizeMm } = marks.seal;
			fills[field.id] = { kind: 'seal', sealId: id, image, sizeMm: { ...sizeMm } };
		} else if (field.kind === 'date') {
			fills[field.id] = { kind: 'date', text: marks.today };
		}
	}
	return { ...draft, fills };
}

/** The device's calendar date as YYYY-MM-DD (local time: the date the signer sees). */
export function localDate(now: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Whether the preview may have to draw text, i.e. needs the CJK font (D7). Any date field counts,
 * not only the signer's own: another signer's accepted date is drawn in the preview too, and a
 * device that skipped the font could not preview offline.
 */
export function needsCjkFont(envelope: Envelope): boolean {
	return envelope.fields.some((f) => f.kind === 'date');
}
