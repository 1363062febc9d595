/** A statement's totals: what its lines charged or paid, what reversed them, and the net a party owes or is owed. */
export interface StatementTotals {
  lines: number;
  grossCents: number;
  /** Refunds or payout reversals: negative, as the ledger writes them. */
  reversedCents: number;
  netCents: number;
}

export function statementTotals(lines: readonly { kind: string; amountCents: number }[], reversalKind: string): StatementTotals {
  let grossCents = 0;
  let reversedCents = 0;
  for (const line of lines) {
    if (line.kind === reversalKind) reversedCents += line.amountCents;
    else grossCents += line.amountCents;
  }
  return { lines: lines.length, grossCents, reversedCents, netCents: grossCents + reversedCents };
}
