import { describe, expect, it } from 'vitest';
import { placeFor, rememberPlace, type FirstPagePlace } from './first-page-place';

/** The part of the Web Storage API the module uses, over a Map (Node has no localStorage). */
class MemoryStorage {
	readonly items = new Map<string, string>();
	getItem(key: string): string | null {
		return this.items.get(key) ?? null;
	}
	setItem(key: string, value: string): void {
		this.items.set(key, value);
	}
}

function storage(): Storage {
	return new MemoryStorage() as unknown as Storage;
}

const phone = { screenWidth: 390, screenRatio: 3 };

function place(id: string, top: number, screen = phone): FirstPagePlace {
	return { id, ...screen, listWidth: 374, top, centre: 195 };
}

describe('where the boot script draws page 1', () => {
	it('is nowhere on a screen the view never measured', () => {
		const s = storage();
		expect(placeFor(s, 'a', 390, 3)).toBeNull();
		rememberPlace(s, place('a', 300));
		expect(placeFor(s, 'a', 390, 2)).toBeNull();
		expect(placeFor(s, 'a', 412, 3)).toBeNull();
	});

	it("is the contract's own last measurement on this screen, else the latest of another contract", () => {
		const s = storage();
		rememberPlace(s, place('a', 300));
		rememberPlace(s, place('b', 340));
		expect(placeFor(s, 'a', 390, 3)?.top).toBe(300);
		expect(placeFor(s, 'b', 390, 3)?.top).toBe(340);
		// A contract never opened: the latest measurement (its title may be of another height).
		expect(placeFor(s, 'c', 390, 3)?.top).toBe(340);
		rememberPlace(s, place('a', 310));
		expect(placeFor(s, 'a', 390, 3)?.top).toBe(310);
		expect(placeFor(s, 'c', 390, 3)?.id).toBe('a');
	});

	it('keeps one measurement per contract and screen, and the newest twenty', () => {
		const s = storage();
		rememberPlace(s, place('a', 300));
		rememberPlace(s, place('a', 500, { screenWidth: 1280, screenRatio: 1 }));
		expect(placeFor(s, 'a', 390, 3)?.top).toBe(300);
		expect(placeFor(s, 'a', 1280, 1)?.top).toBe(500);
		for (let i = 0; i < 25; i++) rememberPlace(s, place(`c${i}`, i));
		const kept = JSON.parse(s.getItem('sealpass:first-page-place')!) as FirstPagePlace[];
		expect(kept).toHaveLength(20);
		expect(kept[0]!.id).toBe('c24');
		expect(placeFor(s, 'a', 1280, 1)).toBeNull();
	});

	it('ignores what it cannot read: another format, broken JSON, a full storage', () => {
		const s = storage();
		s.setItem('sealpass:first-page-place', '{not json');
		expect(placeFor(s, 'a', 390, 3)).toBeNull();
		s.setItem('sealpass:first-page-place', JSON.stringify([{ id: 'a', top: 'high' }, 7]));
		expect(placeFor(s, 'a', 390, 3)).toBeNull();
		rememberPlace(s, place('a', 300));
		expect(placeFor(s, 'a', 390, 3)?.top).toBe(300);
		const full = {
			getItem: () => null,
			setItem: () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		} as unknown as Storage;
		expect(() => rememberPlace(full, place('a', 1))).not.toThrow();
	});
});
