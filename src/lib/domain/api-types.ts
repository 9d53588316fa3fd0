/**
 * Shapes of the JSON the API returns, shared by server endpoints and browser code so the two
 * cannot drift apart silently.
 */
export interface SessionUser {
	id: string;
	name: string;
	role: 'admin' | 'signer';
}

export interface SessionResponse {
	user: SessionUser | null;
}

export type EnvelopeStatus = 'draft' | 'sent' | 'completed' | 'revoked';

export interface ContractSummary {
	id: string;
	title: string;
	pageCount: number;
	size: number;
	revision: number;
	status: EnvelopeStatus;
	createdAt: string;
}

export interface ContractsResponse {
	contracts: ContractSummary[];
}

/** A passkey as its owner sees it on the passkeys page; never the key material. */
export interface PasskeySummary {
	id: string;
	name: string;
	createdAt: string;
	lastUsedAt: string | null;
	/** Whether the authenticator says the passkey is synced (e.g. iCloud Keychain). */
	backedUp: boolean;
}

export interface PasskeysResponse {
	passkeys: PasskeySummary[];
}

export interface PasskeyResponse {
	passkey: PasskeySummary;
}

export interface LoginResponse {
	user: SessionUser;
}
