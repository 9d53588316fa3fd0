/**
 * What happens once a contract is complete (SPEC C3–C6): whether its finalisation waits for the
 * admin's review, and how the certificate names people and passkeys. Pure, so the server's job,
 * the pages and the tests apply one rule.
 */
import type { ReviewStatus } from './review';

/** The job kind that turns a completed contract into its signed final PDF. */
export const FINALISE_JOB = 'finalise';

/**
 * C3: a complete contract is finalised only while none of its stored submissions is flagged by
 * the latest review decision. A flag is a reviewer saying "do not trust this yet"; sealing the
 * contract with a PAdES signature before that is resolved would certify what they doubt.
 */
export function finalisationHeld(statuses: readonly ReviewStatus[]): boolean {
	return statuses.includes('flagged');
}

/**
 * A contact as the certificate prints it (C6): a phone number keeps its first 3 and last 4
 * digits (138****5678), an email its first character and domain (z***@example.cn); anything
 * else keeps its first and last character. Enough for the person to recognise, not to reuse.
 */
export function maskContact(contact: string | null): string {
	const c = (contact ?? '').trim();
	if (c === '') return '—';
	const at = c.lastIndexOf('@');
	if (at > 0) return `${[...c.slice(0, at)][0]}***${c.slice(at)}`;
	const digits = c.replace(/[\s-]/g, '');
	if (/^\+?\d{7,}$/.test(digits)) return `${digits.slice(0, -8)}****${digits.slice(-4)}`;
	const chars = [...c];
	return chars.length <= 2 ? `${chars[0]}*` : `${chars[0]}***${chars[chars.length - 1]}`;
}

/** A credential id in the certificate's short form (C6): first 8 and last 4 characters. */
export function shortCredentialId(id: string): string {
	return id.length <= 16 ? id : `${id.slice(0, 8)}…${id.slice(-4)}`;
}

/**
 * Authenticator models by AAGUID (from the passkey provider registry), for the certificate's
 * "authenticator" line. Unknown and all-zero AAGUIDs (no attestation) give null: the
 * certificate then says "not known" rather than guess.
 */
const AUTHENTICATORS: Readonly<Record<string, string>> = {
	'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
	'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
	'08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
	'9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
	'6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
	'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
	'dd4ec289-e01d-41c9-bb89-70fa845d4bf2': 'iCloud Keychain (Managed)',
	'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
	'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
	'531126d6-e717-415c-9320-3d9aa6981239': 'Dashlane',
	'53414d53-554e-4700-0000-000000000000': 'Samsung Pass'
};

export function authenticatorName(aaguid: string | null): string | null {
	if (!aaguid) return null;
	return AUTHENTICATORS[aaguid.toLowerCase()] ?? null;
}

/**
 * Where the final PDF stands (C3–C5), from the envelope's status, its final file and its
 * finalisation job: one rule for the admin's page and the signer's inbox.
 */
export function finalisationState(
	status: string,
	finalSha256: string | null,
	job: 'queued' | 'running' | 'held' | 'done' | 'failed' | null
): 'not-complete' | 'pending' | 'held' | 'failed' | 'done' {
	if (finalSha256) return 'done';
	if (status !== 'completed') return 'not-complete';
	if (job === 'held' || job === 'failed') return job;
	return 'pending';
}
