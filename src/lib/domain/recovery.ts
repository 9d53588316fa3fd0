import { checkDocument, type DocumentType } from './personal-certification';

/**
 * What an invite link is for: a new person's first passkey, an existing account's new one, or
 * a legal representative asked to authorise their organisation's certification (SPEC LR).
 */
export const INVITE_PURPOSES = ['enrol', 'recover', 'legal_rep'] as const;
export type InvitePurpose = (typeof INVITE_PURPOSES)[number];

/**
 * The normalised form of a document number typed again at re-enrolment (RC3), ready for the
 * same keyed hash the certification stored, or null when it is not a valid number of the
 * stored document type. A passport's issuing country is not asked again: the stored mask
 * begins with it ("CHN ***678"), and it is part of what was hashed.
 */
export function recoveryDocumentNumber(
	stored: { documentType: DocumentType | null; masked: string | null },
	input: string,
	today: Date
): string | null {
	const type = stored.documentType ?? 'resident-id';
	const country = type === 'passport' ? (stored.masked ?? '').split(' ')[0] : undefined;
	const checked = checkDocument(type, input, today, country || undefined);
	return checked.ok ? checked.normalised : null;
}
