import { describe, expect, it } from 'vitest';
import {
	customerToday,
	deadlineEnd,
	decisionInTime,
	graceEnd,
	isCalendarDay,
	isPastDeadline,
	isReminderPlan,
	nextReminderAt
} from './deadline';

describe('deadline day (DL1)', () => {
	it('ends at the next midnight in China Standard Time', () => {
		expect(deadlineEnd('2026-12-31')).toBe('2026-12-31T16:00:00.000Z');
	});

	it('refuses what is not a calendar day', () => {
		expect(isCalendarDay('2026-02-29')).toBe(false);
		expect(isCalendarDay('2028-02-29')).toBe(true);
		expect(isCalendarDay('2026-1-5')).toBe(false);
		expect(() => deadlineEnd('2026-13-01')).toThrow(RangeError);
	});

	it("takes today from the customer's zone, not UTC", () => {
		// 20:00 UTC on the 4th is already 04:00 on the 5th in Beijing.
		expect(customerToday(new Date('2026-12-04T20:00:00Z'))).toBe('2026-12-05');
		expect(customerToday(new Date('2026-12-04T15:59:59Z'))).toBe('2026-12-04');
	});
});

describe('decisions against the deadline (DL2, DL3)', () => {
	const deadlineAt = deadlineEnd('2026-12-31'); // 2026-12-31T16:00Z
	const before = '2026-12-31T10:00:00.000Z';
	const after = '2027-01-01T02:00:00.000Z';

	it('DL2: without a deadline every decision is in time', () => {
		expect(
			decisionInTime(null, { receivedAt: after, ticketIssuedAt: after, deviceTime: after })
		).toEqual({ ok: true, late: false });
	});

	it('DL2: a decision received before the deadline counts, whatever the device clock says', () => {
		expect(
			decisionInTime(deadlineAt, { receivedAt: before, ticketIssuedAt: before, deviceTime: after })
		).toEqual({ ok: true, late: false });
	});

	it('DL2: the contract is past its deadline from the deadline instant on', () => {
		expect(isPastDeadline(deadlineAt, new Date('2026-12-31T15:59:59.999Z'))).toBe(false);
		expect(isPastDeadline(deadlineAt, new Date(deadlineAt))).toBe(true);
		expect(isPastDeadline(null, new Date('2100-01-01'))).toBe(false);
	});

	it('DL3: a late arrival counts when its ticket and its confirmation both came before', () => {
		expect(
			decisionInTime(deadlineAt, { receivedAt: after, ticketIssuedAt: before, deviceTime: before })
		).toEqual({ ok: true, late: true });
	});

	it('DL3: never on the device clock alone: a ticket issued after the deadline refuses', () => {
		expect(
			decisionInTime(deadlineAt, { receivedAt: after, ticketIssuedAt: after, deviceTime: before })
		).toEqual({ ok: false });
	});

	it('DL3: a device that says it confirmed after the deadline is refused', () => {
		expect(
			decisionInTime(deadlineAt, { receivedAt: after, ticketIssuedAt: before, deviceTime: after })
		).toEqual({ ok: false });
	});

	it('DL3: the grace period ends 72 hours after the deadline', () => {
		const end = graceEnd(deadlineAt);
		expect(end).toBe('2027-01-03T16:00:00.000Z');
		const times = { ticketIssuedAt: before, deviceTime: before };
		expect(decisionInTime(deadlineAt, { ...times, receivedAt: end }).ok).toBe(true);
		expect(
			decisionInTime(deadlineAt, { ...times, receivedAt: '2027-01-03T16:00:00.001Z' }).ok
		).toBe(false);
	});
});

describe('reminders (DL6)', () => {
	const deadlineAt = deadlineEnd('2026-12-31');
	const plan = { firstDaysBefore: 3, everyDays: 2 };

	it('sends the first reminder the chosen days before the deadline', () => {
		expect(nextReminderAt(deadlineAt, plan, new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe(
			'2026-12-28T16:00:00.000Z'
		);
	});

	it('repeats every few days and never at or after the deadline', () => {
		const second = nextReminderAt(deadlineAt, plan, new Date('2026-12-28T16:00:00Z'));
		expect(second?.toISOString()).toBe('2026-12-30T16:00:00.000Z');
		expect(nextReminderAt(deadlineAt, plan, second!)).toBeNull();
		expect(
			nextReminderAt(
				deadlineAt,
				{ firstDaysBefore: 2, everyDays: 2 },
				new Date('2026-12-29T17:00:00Z')
			)
		).toBeNull();
	});

	it('skips occurrences that passed before the contract was sent', () => {
		expect(nextReminderAt(deadlineAt, plan, new Date('2026-12-29T09:00:00Z'))?.toISOString()).toBe(
			'2026-12-30T16:00:00.000Z'
		);
	});

	it('accepts plans of 1 to 30 whole days', () => {
		expect(isReminderPlan(plan)).toBe(true);
		expect(isReminderPlan({ firstDaysBefore: 0, everyDays: 2 })).toBe(false);
		expect(isReminderPlan({ firstDaysBefore: 3, everyDays: 31 })).toBe(false);
		expect(isReminderPlan({ firstDaysBefore: 1.5, everyDays: 2 })).toBe(false);
	});
});
