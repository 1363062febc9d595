/** What a finished run means in money: each sale split into payout and margin. */
import type { Payout } from "./config";
import { splitSale } from "./pricing";
import type { Sale } from "./tree";

export interface SettledSale extends Sale {
  payoutCents: number;
  marginCents: number;
}

export interface Settled {
  sales: SettledSale[];
  priceCents: number;
  payoutCents: number;
  /** The sales that count towards the tree's accepts. */
  accepts: number;
}

export function settle(sales: Sale[], payout: Payout): Settled {
  const settled = sales.map((sale) => ({ ...sale, ...splitSale(payout, sale.priceCents) }));
  return {
    sales: settled,
    priceCents: settled.reduce((sum, sale) => sum + sale.priceCents, 0),
    payoutCents: settled.reduce((sum, sale) => sum + sale.payoutCents, 0),
    accepts: settled.filter((sale) => sale.countsTowardsQuota).length,
  };
}
