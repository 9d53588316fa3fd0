import { describe, expect, it } from 'vitest';
import { describeGap, formatDuration, formatInstant, offlineGap } from './certificate';

describe('offline gap', () => {
	it('CE4: a receipt 3 h 12 min after the confirmation reads as confirmed offline', () => {
		const gap = offlineGap('2026-03-01T01:00:00Z', '2026-03-01T04:12:30Z');
		expect(gap).toEqual({ kind: 'offline', minutes: 192 });
		expect(describeGap(gap)).toEqual({
			zh: '离线确认，3 小时 12 分钟后送达服务器',
			en: 'confirmed offline 3 h 12 min before it reached the server'
		});
	});

	it('CE4: a receipt within a minute reads as confirmed online', () => {
		expect(offlineGap('2026-03-01T01:00:00Z', '2026-03-01T01:00:59Z')).toEqual({
			kind: 'online'
		});
	});

	it('CE4: a device clock ahead of the server is said so, not hidden as a zero gap', () => {
		const gap = offlineGap('2026-03-01T01:10:00Z', '2026-03-01T01:00:00Z');
		expect(gap).toEqual({ kind: 'clock-ahead', minutes: 10 });
		expect(describeGap(gap).en).toBe('the device clock was about 10 min ahead of the server');
	});

	it('CE4: long gaps are counted in days and hours', () => {
		expect(formatDuration(3 * 1440 + 125)).toEqual({ zh: '3 天 2 小时', en: '3 d 2 h' });
		expect(formatDuration(45)).toEqual({ zh: '45 分钟', en: '45 min' });
	});

	it('CE6: prints instants at the fixed offset, the same in every runtime', () => {
		expect(formatInstant('2026-03-01T23:15:02Z', 480)).toBe('2026-03-02 07:15:02 UTC+08:00');
		expect(formatInstant('2026-03-01T00:00:00Z', -330)).toBe('2026-02-28 18:30:00 UTC-05:30');
		expect(() => formatInstant('yesterday', 0)).toThrow(RangeError);
	});
});
