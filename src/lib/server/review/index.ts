// The admin's review of synced submissions, one step per file.
export {
	PAGE_SIZE_DEFAULT,
	PAGE_SIZE_MAX,
	ReviewFilterSchema,
	type ReviewFilter,
	parseReviewFilter,
	reviewListQuery,
	listReview,
	reviewFacets
} from './list';
export { indexForReview } from './indexing';
export { reviewDetailQuery, reviewDetail } from './detail';
export { reverifySubmission } from './reverify';
export { decideSubmission } from './decide';
export { countPreAuthRefusal, preAuthRefusals } from './refusal-counts';
