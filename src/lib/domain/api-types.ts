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
