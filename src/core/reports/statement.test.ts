import { describe, expect, test } from "vitest";
import { statementTotals } from "./statement";

describe("statementTotals", () => {
  test.each([
    { name: "no lines owe nothing", lines: [], want: { lines: 0, grossCents: 0, reversedCents: 0, netCents: 0 } },
    {
      name: "charges add up",
      lines: [{ kind: "buyer_charge", amountCents: 1250 }, { kind: "buyer_charge", amountCents: 900 }],
      want: { lines: 2, grossCents: 2150, reversedCents: 0, netCents: 2150 },
    },
    {
      name: "a refund (negative) lowers the net",
      lines: [{ kind: "buyer_charge", amountCents: 1250 }, { kind: "buyer_charge", amountCents: 900 }, { kind: "buyer_refund", amountCents: -900 }],
      want: { lines: 3, grossCents: 2150, reversedCents: -900, netCents: 1250 },
    },
  ])("$name", ({ lines, want }) => {
    expect(statementTotals(lines, "buyer_refund")).toEqual(want);
  });
});
