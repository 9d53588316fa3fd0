import { api } from '../api';
import type { OperatorOrgsResponse, OrganisationCreated } from '$lib/domain/api-types';
import type { NewOrganisationBody, RequestOf } from '$lib/domain/api-requests';

// The platform operator's organisations page (SPEC OC11): the list and creating one.

export function loadOrganisations(fetcher: typeof fetch) {
	return api<OperatorOrgsResponse>(fetcher, '/api/operator/organisations');
}

export function createOrganisation(input: RequestOf<typeof NewOrganisationBody>) {
	return api<OrganisationCreated>(fetch, '/api/operator/organisations', {
		method: 'POST',
		json: input
	});
}
