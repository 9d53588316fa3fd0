import { randomUUID } from 'node:crypto';
import {
	PROVIDER_METHODS,
	SIMULATED_PROVIDER,
	type DocumentType,
	type ProviderMethod
} from '$lib/domain/personal-certification';

/**
 * What an identity provider is asked: the person's name and document, and the extra factor the
 * method needs (the phone number registered with the carrier, the bank card and its phone).
 * Face match runs in the provider's own page; its result token comes back as `faceToken`.
 */
export interface IdentityRequest {
	method: ProviderMethod;
	realName: string;
	documentType: DocumentType;
	/** The normalised document number; sent to the provider only, never logged or stored. */
	documentNumber: string;
	phone?: string;
	bankCard?: string;
	faceToken?: string;
}

/** The provider's answer; `reference` is its id for the check, kept as evidence (PC9). */
export type IdentityAnswer =
	| { ok: true; reference: string }
	| { ok: false; reason: 'MISMATCH' | 'UNAVAILABLE'; reference: string | null };

/**
 * An identity provider (face match, carrier three-factor, bank four-factor). Real providers are
 * commercial APIs with their own contracts; each one is an adapter behind this interface so the
 * certification rules never depend on which is configured.
 */
export interface IdentityVerifier {
	/** Stored as the evidence's provider; `simulated` for the development adapter (PC6). */
	readonly provider: string;
	readonly methods: readonly ProviderMethod[];
	verify(request: IdentityRequest): Promise<IdentityAnswer>;
}

/**
 * A name that the simulated provider reports as not matching, so the failure path can be tried
 * by hand and in tests without a real provider.
 */
export const SIMULATED_MISMATCH_NAME = '核验不符';

/**
 * The development adapter: checks nothing about the person and says so (PC6). It answers a match
 * for every request except SIMULATED_MISMATCH_NAME, with a reference that starts with `sim-`
 * so a stored reference cannot be mistaken for a provider's either.
 */
export const simulatedVerifier: IdentityVerifier = {
	provider: SIMULATED_PROVIDER,
	methods: PROVIDER_METHODS,
	async verify(request) {
		const reference = `sim-${randomUUID()}`;
		if (request.realName === SIMULATED_MISMATCH_NAME) {
			return { ok: false, reason: 'MISMATCH', reference };
		}
		return { ok: true, reference };
	}
};

/** The verifier a configuration names; null when identities cannot be provider-verified (PC8). */
export function identityVerifierFor(kind: 'simulated' | 'none'): IdentityVerifier | null {
	return kind === 'simulated' ? simulatedVerifier : null;
}
