// Deadlines and reminders (SPEC DL1–DL6): when a contract's signing day ends, whether a decision
// that arrives after it still counts, and when its signers are reminded. Pure, so the server
// that enforces a deadline and the device that shows it judge alike.

/**
 * A deadline is a calendar day in the customer's time zone, China Standard Time (UTC+8, no
 * daylight saving): a contract due on 2026-12-31 may be signed until 24:00 that day in Beijing,
 * wherever the server or the signer happens to be (DL1).
 */
export const DEADLINE_UTC_OFFSET_MINUTES = 8 * 60;

/**
 * How long after the deadline a decision confirmed offline before it may still arrive (DL3). Three
 * days covers a weekend on a site without coverage; longer would keep contracts open for weeks.
 */
export const DEADLINE_GRACE_HOURS = 72;

/** The default reminder plan for a contract with a deadline: 3 days before, then every 2 days. */
export const DEFAULT_REMINDERS: ReminderPlan = { firstDaysBefore: 3, everyDays: 2 };

/** Bounds of a reminder plan the admin may choose, in days. */
export const REMINDER_DAYS_MAX = 30;

export interface ReminderPlan {
	/** Days before the deadline the first reminder goes out (1–30). */
	firstDaysBefore: number;
	/** Days between later reminders until the deadline (1–30). */
	everyDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Whether a string is a real calendar day written YYYY-MM-DD. */
export function isCalendarDay(day: string): boolean {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) return false;
	const date = new Date(`${day}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/** The instant (ISO, UTC) a deadline day ends: the next midnight in the customer's zone (DL1). */
export function deadlineEnd(day: string): string {
	if (!isCalendarDay(day)) throw new RangeError(`Not a calendar day: ${day}`);
	const midnightUtc = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
	return new Date(midnightUtc - DEADLINE_UTC_OFFSET_MINUTES * 60_000).toISOString();
}

/** Today's calendar day in the customer's zone, the earliest deadline a form accepts (DL5). */
export function customerToday(now: Date): string {
	return new Date(now.getTime() + DEADLINE_UTC_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

/** Whether the deadline has passed at `now` (DL2); the grace period does not reopen signing. */
export function isPastDeadline(deadlineAt: string | null, now: Date): boolean {
	return deadlineAt !== null && now.getTime() >= Date.parse(deadlineAt);
}

/** The last instant a late offline decision may reach the server (DL3). */
export function graceEnd(deadlineAt: string): string {
	return new Date(Date.parse(deadlineAt) + DEADLINE_GRACE_HOURS * HOUR_MS).toISOString();
}

/** What the server knows about when a decision was made, to judge it against a deadline. */
export interface DecisionTimes {
	/** When the server received the manifest. */
	receivedAt: string;
	/** When the server issued the ticket the passkey signed: a moment the server vouches for. */
	ticketIssuedAt: string;
	/** The device's clock at confirmation: a claim, never enough on its own. */
	deviceTime: string;
}

/**
 * Whether a decision counts against the contract's deadline (DL2, DL3). One received before the
 * deadline does. One received later counts only inside the grace period and only if it spent a
 * ticket the server issued before the deadline and the device says it confirmed before it: the
 * ticket bounds the claim from below with the server's own clock, so a device whose clock is set
 * back cannot sign a contract that closed days ago.
 */
export function decisionInTime(
	deadlineAt: string | null,
	times: DecisionTimes
): { ok: true; late: boolean } | { ok: false } {
	if (deadlineAt === null) return { ok: true, late: false };
	const end = Date.parse(deadlineAt);
	const received = Date.parse(times.receivedAt);
	if (received < end) return { ok: true, late: false };
	const offlineBefore =
		Date.parse(times.ticketIssuedAt) < end && Date.parse(times.deviceTime) < end;
	if (offlineBefore && received <= Date.parse(graceEnd(deadlineAt)))
		return { ok: true, late: true };
	return { ok: false };
}

/**
 * When the next reminder is due (DL6): the first goes `firstDaysBefore` days before the deadline,
 * later ones every `everyDays` days, never at or after the deadline. Returns the first such moment
 * after `after` (a contract sent two days before its deadline skips the reminder that would have
 * gone a day before it was sent), or null when none is left.
 */
export function nextReminderAt(deadlineAt: string, plan: ReminderPlan, after: Date): Date | null {
	const end = Date.parse(deadlineAt);
	const first = end - plan.firstDaysBefore * DAY_MS;
	const step = plan.everyDays * DAY_MS;
	const from = after.getTime();
	const k = from < first ? 0 : Math.floor((from - first) / step) + 1;
	const at = first + k * step;
	return at < end ? new Date(at) : null;
}

/** Whether a reminder plan is within the bounds the form offers. */
export function isReminderPlan(plan: ReminderPlan): boolean {
	const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= REMINDER_DAYS_MAX;
	return ok(plan.firstDaysBefore) && ok(plan.everyDays);
}

/**
 * Whether a contract's reminder window is open at `now` (DS1): from the plan's first reminder
 * (`firstDaysBefore` days before the deadline) until the deadline. A contract with a deadline but
 * no plan uses the default window: the in-app marker costs nobody a message, and a signer should
 * not learn of a closing contract only when it has closed.
 */
export function reminderWindowOpen(
	deadlineAt: string | null | undefined,
	plan: ReminderPlan | null | undefined,
	now: Date
): boolean {
	if (!deadlineAt) return false;
	const end = Date.parse(deadlineAt);
	const from = end - (plan ?? DEFAULT_REMINDERS).firstDaysBefore * DAY_MS;
	return now.getTime() >= from && now.getTime() < end;
}
