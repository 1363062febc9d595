import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LeadLogEntry } from "../../store/leadLog";
import { SALE_NOTICE_GATHER_MS, SaleNotices } from "./saleNotices";

/** Only what a notice reads of an entry. */
function entry(leadId: string, { sold = true, keys = 1 } = {}): LeadLogEntry {
  return {
    lead: { id: leadId, consumer: { keys: Array.from({ length: keys }, (_, i) => ({ field: "phone", hash: `${leadId}-${i}` })), purchases: [] } },
    sales: sold ? [{ buyerId: "buy_1" }] : [],
  } as unknown as LeadLogEntry;
}

describe("a gate's sale notices", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("gather the sales of each span and tell them together, leaving unsold and keyless leads out", async () => {
    const sent: string[][] = [];
    const notices = new SaleNotices({ send: async (entries) => void sent.push(entries.map((e) => e.lead.id)), waitUntil: () => {} });
    notices.note(entry("ld_a"));
    notices.note(entry("ld_unsold", { sold: false }));
    notices.note(entry("ld_keyless", { keys: 0 }));
    await vi.advanceTimersByTimeAsync(SALE_NOTICE_GATHER_MS / 2);
    notices.note(entry("ld_b"));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(SALE_NOTICE_GATHER_MS / 2);
    expect(sent).toEqual([["ld_a", "ld_b"]]);
    notices.note(entry("ld_c"));
    await vi.advanceTimersByTimeAsync(SALE_NOTICE_GATHER_MS - 1);
    expect(sent).toEqual([["ld_a", "ld_b"]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([["ld_a", "ld_b"], ["ld_c"]]);
  });

  it("log a failed notice and hand the gate a promise that does not reject: the D1 batch records the sale anyway", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const held: Promise<unknown>[] = [];
      const notices = new SaleNotices({ send: () => Promise.reject(new Error("object unreachable")), waitUntil: (promise) => void held.push(promise) });
      notices.note(entry("ld_a"));
      await vi.advanceTimersByTimeAsync(SALE_NOTICE_GATHER_MS);
      await expect(held[0]).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith(expect.stringContaining("sale notice"), "object unreachable");
    } finally {
      error.mockRestore();
    }
  });
});
