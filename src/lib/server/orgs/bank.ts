import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { formatCents, parseYuanToCents } from '$lib/domain/org-certification';
import type { SimBankResponse } from '$lib/domain/api-types';
import type { Database, Db } from '../db/schema';
import type { Clock } from '../platform/clock';
import { noteOrgPayment } from './deposit';

/** An organisation's account as entered for 对公打款 (SPEC OC7). */
export interface OrgAccount {
	accountName: string;
	bank: string;
	branch: string;
	account: string;
	cnaps: string;
}

/** The platform's own receiving account, shown to an organisation that pays (OC8). */
export interface PlatformAccount {
	accountName: string;
	bank: string;
	branch: string;
	account: string;
}

/**
 * What certification needs from a bank: pay a small amount to an organisation's account, and
 * say where organisations pay the platform. Received payments are reported back through
 * `noteOrgPayment` (a real adapter's webhook, the simulated bank's page). `simulated` is shown
 * wherever the adapter's work appears, so nobody mistakes a simulated transfer for money (OC10).
 */
export interface BankTransfer {
	readonly simulated: boolean;
	platformAccount(): PlatformAccount;
	pay(db: Db, to: OrgAccount, amountCents: number, remark: string): Promise<void>;
}

/** One row of the simulated bank's ledger, as its page shows it. */
export interface SimulatedTransfer {
	id: string;
	direction: 'to_org' | 'to_platform';
	account: string;
	accountName: string;
	amountCents: number;
	remark: string;
	createdAt: string;
}

const SIMULATED_PLATFORM_ACCOUNT: PlatformAccount = {
	accountName: 'SealPass 模拟平台账户 (simulated)',
	bank: '模拟银行 Simulated Bank',
	branch: '开发测试支行 Development Branch',
	account: '6200000000000000000'
};

/**
 * The development and test bank: transfers are rows in `sim_bank_transfers` that the operator's
 * simulated-bank page lists, so the whole 对公打款 flow runs on one machine with no money moving.
 */
export class SimulatedBank implements BankTransfer {
	readonly simulated = true;

	constructor(private readonly clock: Clock) {}

	platformAccount(): PlatformAccount {
		return SIMULATED_PLATFORM_ACCOUNT;
	}

	async pay(db: Db, to: OrgAccount, amountCents: number, remark: string): Promise<void> {
		await this.record(db, 'to_org', to, amountCents, remark);
	}

	/** Records a payment an organisation made to the platform (the page's "pay" button). */
	async receive(
		db: Db,
		from: { account: string; accountName: string },
		amountCents: number,
		remark: string
	): Promise<void> {
		await this.record(db, 'to_platform', from, amountCents, remark);
	}

	private async record(
		db: Db,
		direction: SimulatedTransfer['direction'],
		party: { account: string; accountName: string },
		amountCents: number,
		remark: string
	): Promise<void> {
		await db
			.insertInto('sim_bank_transfers')
			.values({
				id: randomUUID(),
				direction,
				account: party.account,
				account_name: party.accountName,
				amount_cents: amountCents,
				remark,
				created_at: this.clock().toISOString()
			})
			.execute();
	}

	/** The ledger, newest first. */
	async ledger(db: Db): Promise<SimulatedTransfer[]> {
		const rows = await db
			.selectFrom('sim_bank_transfers')
			.selectAll()
			.orderBy('created_at', 'desc')
			.limit(100)
			.execute();
		return rows.map((r) => ({
			id: r.id,
			direction: r.direction,
			account: r.account,
			accountName: r.account_name,
			amountCents: r.amount_cents,
			remark: r.remark,
			createdAt: r.created_at
		}));
	}
}

/** The simulated bank's page (OC10): the platform's account and the ledger, amounts in yuan. */
export async function simulatedBankPage(bank: SimulatedBank, db: Db): Promise<SimBankResponse> {
	return {
		simulated: true,
		platformAccount: bank.platformAccount(),
		transfers: (await bank.ledger(db)).map(({ amountCents, ...transfer }) => ({
			...transfer,
			amount: formatCents(amountCents)
		}))
	};
}

/**
 * The simulated bank's "pay" (OC8): records an organisation's payment to the platform, then
 * reports it as a real bank's notice would. Null when the amount is no positive yuan amount;
 * else whether the payment matched an application.
 */
export async function simulateOrgPayment(
	deps: { db: Kysely<Database>; clock: Clock; bank: SimulatedBank },
	payment: { accountName: string; account: string; amount: string; remark: string }
): Promise<boolean | null> {
	const cents = parseYuanToCents(payment.amount);
	if (cents === null || cents === 0) return null;
	await deps.bank.receive(deps.db, payment, cents, payment.remark.trim());
	return noteOrgPayment(deps, payment.remark);
}
