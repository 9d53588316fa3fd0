import type { ReminderPlan } from '$lib/domain/deadline';

// A row's reminder plan, read by the envelope queries and by reminders.ts, which reads envelopes
// itself: kept apart so that the two never import each other.

/** The envelope columns a reminder schedule is computed from. */
export interface ReminderRow {
	id: string;
	deadline: string | null;
	reminder_first_days: number | null;
	reminder_every_days: number | null;
}

/** The plan stored on a row, or null when it has none (or no deadline to remind of). */
export function reminderPlan(row: ReminderRow): ReminderPlan | null {
	if (!row.deadline || row.reminder_first_days === null || row.reminder_every_days === null) {
		return null;
	}
	return { firstDaysBefore: row.reminder_first_days, everyDays: row.reminder_every_days };
}
