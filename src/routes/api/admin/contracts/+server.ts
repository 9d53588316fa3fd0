import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/platform/app';
import { createContract, listContracts } from '$lib/server/contracts';
import { ContractInput } from '$lib/domain/api-requests';
import { contractDeps } from '$lib/server/contracts';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError, failureResponse, readForm } from '$lib/server/platform/http';
import type { ContractCreated, ContractsResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireAdmin(locals.user);
	const body: ContractsResponse = {
		contracts: await listContracts(getApp().database.db, user.org_id)
	};
	return json(body);
}

/** Multipart: `file` (the PDF) and `meta` (JSON of ContractInput). */
export async function POST({ locals, request }) {
	const user = requireAdmin(locals.user);
	const form = await readForm(request, 'PDF_TOO_LARGE');
	if (form instanceof Response) return form;
	const file = form.get('file');
	const meta = form.get('meta');
	if (!(file instanceof File) || typeof meta !== 'string') {
		return apiError('BAD_REQUEST', 'Expected multipart fields file and meta');
	}
	let parsedMeta: unknown;
	try {
		parsedMeta = JSON.parse(meta);
	} catch {
		return apiError('BAD_REQUEST', 'meta is not JSON');
	}
	const parsed = v.safeParse(ContractInput, parsedMeta);
	if (!parsed.success) return apiError('BAD_REQUEST', 'meta does not have the expected shape');
	const bytes = new Uint8Array(await file.arrayBuffer());
	const result = await createContract(contractDeps(getApp()), user, parsed.output, bytes);
	if (!result.ok) return failureResponse(result);
	const body: ContractCreated = { id: result.id };
	return json(body, { status: 201 });
}
