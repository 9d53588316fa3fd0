import { describe, expect, it } from 'vitest';
import { recoveryDocumentNumber } from './recovery';
import { residentIdCheckChar } from './validators';

const today = new Date('2026-06-01T00:00:00Z');
const residentId = (body: string) => body + residentIdCheckChar(body)!;

describe('recoveryDocumentNumber', () => {
	it('RC3: folds a resident ID number as certification did, and refuses an invalid one', () => {
		const id = residentId('11010519491231002');
		expect(
			recoveryDocumentNumber(
				{ documentType: 'resident-id', masked: '1101**********' },
				` ${id.toLowerCase()} `,
				today
			)
		).toBe(id);
		// Details saved before document types existed are resident ID numbers.
		expect(recoveryDocumentNumber({ documentType: null, masked: null }, id, today)).toBe(id);
		expect(
			recoveryDocumentNumber({ documentType: 'resident-id', masked: null }, '123', today)
		).toBe(null);
	});

	it('RC3: a passport number takes its issuing country from the stored mask', () => {
		expect(
			recoveryDocumentNumber(
				{ documentType: 'passport', masked: 'CHN ******678' },
				'e12345678',
				today
			)
		).toBe('CHN:E12345678');
		expect(
			recoveryDocumentNumber(
				{ documentType: 'passport', masked: 'DEU ******9X1' },
				'C01X009X1',
				today
			)
		).toBe('DEU:C01X009X1');
	});
});
