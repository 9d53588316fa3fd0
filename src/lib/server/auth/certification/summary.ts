import type { CertificationSummary } from '$lib/domain/api-types';
import { SIMULATED_PROVIDER } from '$lib/domain/personal-certification';
import type { User } from '../../db/schema';

/** The certification columns every summary is read from. */
export type CertificationColumns = Pick<
	User,
	'cert_level' | 'cert_method' | 'cert_document_type' | 'cert_provider' | 'cert_at'
>;

/** A user's certification as the profile and the admin's member list show it (PC6, PC9). */
export function certificationOf(user: CertificationColumns): CertificationSummary {
	return {
		level: user.cert_level,
		method: user.cert_method,
		documentType: user.cert_document_type,
		provider: user.cert_provider,
		at: user.cert_at,
		simulated: user.cert_provider === SIMULATED_PROVIDER
	};
}
