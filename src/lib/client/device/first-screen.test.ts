import { describe, expect, it } from 'vitest';
import { createFirstScreenGate } from './first-screen';

/** Timers the test fires by hand, so the cap is checked without waiting for it. */
function manualTimers() {
	const pending = new Map<number, { run: () => void; ms: number }>();
	let next = 1;
	return {
		pending,
		setTimeout: ((run: () => void, ms: number) => {
			pending.set(next, { run, ms });
			return next++;
		}) as unknown as typeof setTimeout,
		clearTimeout: ((id: number) => void pending.delete(id)) as unknown as typeof clearTimeout,
		fireAll() {
			for (const [id, { run }] of [...pending]) {
				pending.delete(id);
				run();
			}
		}
	};
}

describe('Y10 first-screen gate (start-up work waits for a contract page 1)', () => {
	it('runs work at once when no page holds the first screen (every route but a contract)', () => {
		const gate = createFirstScreenGate(3000, manualTimers());
		const ran: string[] = [];
		gate.after(() => ran.push('sync'));
		expect(ran).toEqual(['sync']);
	});

	it('holds work until the page lets go, once, and a second let-go does nothing', () => {
		const timers = manualTimers();
		const gate = createFirstScreenGate(3000, timers);
		const release = gate.hold();
		const ran: string[] = [];
		gate.after(() => ran.push('register'));
		gate.after(() => ran.push('sync'));
		expect(ran).toEqual([]);
		release();
		expect(ran).toEqual(['register', 'sync']);
		release();
		expect(ran).toEqual(['register', 'sync']);
		// The cap was cleared: nothing runs twice when its time would have come.
		expect(timers.pending.size).toBe(0);
	});

	it('waits for every hold', () => {
		const gate = createFirstScreenGate(3000, manualTimers());
		const first = gate.hold();
		const second = gate.hold();
		const ran: string[] = [];
		gate.after(() => ran.push('sync'));
		first();
		expect(ran).toEqual([]);
		second();
		expect(ran).toEqual(['sync']);
	});

	it('never keeps the device from syncing longer than the cap when a page never settles', () => {
		const timers = manualTimers();
		const gate = createFirstScreenGate(2500, timers);
		gate.hold();
		const ran: string[] = [];
		gate.after(() => ran.push('sync'));
		expect([...timers.pending.values()].map((t) => t.ms)).toEqual([2500]);
		timers.fireAll();
		expect(ran).toEqual(['sync']);
	});

	it('a hold released before the layout asks leaves nothing waiting', () => {
		const gate = createFirstScreenGate(3000, manualTimers());
		gate.hold()();
		const ran: string[] = [];
		gate.after(() => ran.push('sync'));
		expect(ran).toEqual(['sync']);
	});

	it('once start-up work has run, a contract opened later holds nothing back', () => {
		const gate = createFirstScreenGate(3000, manualTimers());
		gate.after(() => undefined);
		gate.hold();
		const ran: string[] = [];
		gate.after(() => ran.push('later'));
		expect(ran).toEqual(['later']);
	});
});
