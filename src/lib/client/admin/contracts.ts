import { api, ApiError } from '../api';
import { toErrorCode } from '$lib/domain/errors';
import type {
	ContractResent,
	ContractCreated,
	ContractDetail,
	ContractDetailResponse,
	ContractReplaced,
	ContractSent,
	DeadlineChanged,
	FieldTemplateSummary,
	FieldTemplatesResponse,
	OrgUser,
	OrgUsersResponse
} from '$lib/domain/api-types';
import type { Field, FieldKind } from '$lib/domain/envelope';
import type { ReadinessProblem } from '$lib/domain/field-layout';
import type {
	ContractInput,
	DeadlineBody,
	FieldsInput,
	RequestOf,
	RevokeBody,
	TemplateBody
} from '$lib/domain/api-requests';

type Fetch = typeof fetch;
const base = (id: string) => `/api/admin/contracts/${encodeURIComponent(id)}`;

/**
 * The upload form's data as POST /api/admin/contracts expects it beside the PDF: the server's own
 * request schema, so the two cannot drift.
 */
export type ContractForm = ContractInput;

/** Loads one contract for the progress page or the editor. */
export async function getContract(fetcher: Fetch, id: string): Promise<ContractDetail> {
	return (await api<ContractDetailResponse>(fetcher, base(id))).contract;
}

/** The original PDF's bytes, for the pdf.js pages of the editor. */
export async function getContractDocument(fetcher: Fetch, id: string): Promise<Uint8Array> {
	let response: Response;
	try {
		response = await fetcher(`${base(id)}/document`, { credentials: 'same-origin' });
	} catch (error) {
		throw new ApiError('NETWORK', 0, String(error));
	}
	if (!response.ok) {
		const body = await response.json().catch(() => null);
		throw new ApiError(toErrorCode(body?.error?.code), response.status, response.statusText);
	}
	return new Uint8Array(await response.arrayBuffer());
}

/** The organisation's accounts, for the upload form's "existing account" choice. */
export async function listOrgUsers(fetcher: Fetch): Promise<OrgUser[]> {
	return (await api<OrgUsersResponse>(fetcher, '/api/admin/users')).users;
}

/** The organisation's field templates, for the editor's "apply template" choice. */
export async function listTemplates(fetcher: Fetch): Promise<FieldTemplateSummary[]> {
	return (await api<FieldTemplatesResponse>(fetcher, '/api/admin/templates')).templates;
}

/** Saves the contract's stored layout as a template (the server reads the saved fields, not the editor's). */
export async function saveTemplate(name: string, contractId: string) {
	return api<{ template: FieldTemplateSummary }>(fetch, '/api/admin/templates', {
		method: 'POST',
		json: { name, contractId } satisfies RequestOf<typeof TemplateBody>
	});
}

/** Stores the layout; the answer is what the server kept (clamped, SPEC L1) and its readiness (L8). */
export async function saveFields(id: string, fields: Field[]) {
	return api<{ fields: Field[]; readiness: ReadinessProblem[] }>(fetch, `${base(id)}/fields`, {
		method: 'PUT',
		json: { fields } satisfies RequestOf<typeof FieldsInput>
	});
}

/** Sends a ready draft: invites new people, notifies the others. */
export async function sendContract(id: string): Promise<ContractSent> {
	return api<ContractSent>(fetch, `${base(id)}/send`, { method: 'POST' });
}

/** Sets or extends a contract's deadline (SPEC DL5). */
export async function changeDeadline(
	id: string,
	deadline: string | null
): Promise<DeadlineChanged> {
	return api<DeadlineChanged>(fetch, `${base(id)}/deadline`, {
		method: 'PUT',
		json: { deadline } satisfies RequestOf<typeof DeadlineBody>
	});
}

/** Resends a returned contract: a new round for every signer (SPEC LC5). */
export async function resendContract(id: string): Promise<ContractResent> {
	return api<ContractResent>(fetch, `${base(id)}/resend`, { method: 'POST' });
}

/** Revokes with a reason the signers will see. */
export async function revokeContract(id: string, reason: string): Promise<void> {
	await api(fetch, `${base(id)}/revoke`, {
		method: 'POST',
		json: { reason } satisfies RequestOf<typeof RevokeBody>
	});
}

/** The kinds of field, in toolbar order. */
export const FIELD_KIND_ORDER: readonly FieldKind[] = ['signature', 'seal', 'date', 'riding-seam'];

/**
 * Sends bytes with upload progress (fetch has none), answering like api(): the parsed JSON on
 * success, ApiError with the server's code otherwise. A large PDF on a slow line takes a while;
 * the form shows how far it got instead of a frozen button.
 */
function xhrSend<T>(
	method: 'POST' | 'PUT',
	url: string,
	body: FormData | Blob,
	onProgress: (fraction: number) => void
): Promise<T> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open(method, url);
		xhr.withCredentials = true;
		if (body instanceof Blob) xhr.setRequestHeader('Content-Type', 'application/pdf');
		xhr.upload.onprogress = (event) => {
			if (event.lengthComputable) onProgress(event.loaded / event.total);
		};
		xhr.onerror = () => reject(new ApiError('NETWORK', 0, 'Upload failed'));
		xhr.onload = () => {
			let parsed: { error?: { code?: string; message?: string; details?: unknown } } | null;
			try {
				parsed = JSON.parse(xhr.responseText);
			} catch {
				parsed = null;
			}
			if (xhr.status >= 200 && xhr.status < 300) return resolve(parsed as T);
			// A body cut off by the server's size limit arrives without our JSON shape.
			const code =
				xhr.status === 413 && !parsed?.error ? 'PDF_TOO_LARGE' : toErrorCode(parsed?.error?.code);
			const details = parsed?.error?.details;
			reject(
				new ApiError(
					code,
					xhr.status,
					parsed?.error?.message ?? xhr.statusText,
					typeof details === 'object' && details ? (details as Record<string, unknown>) : {}
				)
			);
		};
		xhr.send(body);
	});
}

/** Uploads a new contract (multipart: the PDF and the form as JSON). */
export function uploadContract(
	file: File,
	form: ContractForm,
	onProgress: (fraction: number) => void
): Promise<ContractCreated> {
	const data = new FormData();
	data.set('meta', JSON.stringify(form));
	data.set('file', file);
	return xhrSend<ContractCreated>('POST', '/api/admin/contracts', data, onProgress);
}

/** Replaces the document with a new revision (raw PDF body). */
export function replaceDocument(
	id: string,
	file: File,
	onProgress: (fraction: number) => void
): Promise<ContractReplaced> {
	return xhrSend<ContractReplaced>('PUT', `${base(id)}/document`, file, onProgress);
}
