import { describe, expect, it, vi } from "vitest";
import type { LeadLogEntry } from "../../store/leadLog";
import { SaleNotices } from "./saleNotices";

/** Only what a notice reads of an entry. */
function entry(leadId: string, { sold = true, keys = 1 } = {}): LeadLogEntry {
  return {
    lead: { id: leadId, consumer: { keys: Array.from({ length: keys }, (_, i) => ({ field: "phone", hash: `${leadId}-${i}` })), purchases: [] } },
    sales: sold ? [{ buyerId: "buy_1" }] : [],
  } as unknown as LeadLogEntry;
}

describe("a gate's sale notices", () => {
  it("tell the sold leads with a consumer, those answered within the delay in one call", async () => {
    vi.useFakeTimers();
    try {
      const sent: string[][] = [];
      const notices = new SaleNotices({ send: async (entries) => void sent.push(entries.map((e) => e.lead.id)), waitUntil: () => {}, delayMs: 20 });
      notices.note(entry("ld_a"));
      notices.note(entry("ld_unsold", { sold: false }));
      notices.note(entry("ld_keyless", { keys: 0 }));
      notices.note(entry("ld_b"));
      expect(sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(20);
      notices.note(entry("ld_c"));
      await vi.advanceTimersByTimeAsync(20);
      expect(sent).toEqual([["ld_a", "ld_b"], ["ld_c"]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("log a failed notice and hand the gate a promise that does not reject: the D1 batch records the sale anyway", async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const held: Promise<unknown>[] = [];
      const notices = new SaleNotices({ send: () => Promise.reject(new Error("object unreachable")), waitUntil: (promise) => void held.push(promise), delayMs: 20 });
      notices.note(entry("ld_a"));
      await vi.advanceTimersByTimeAsync(20);
      expect(held).toHaveLength(1);
      await expect(held[0]).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith(expect.stringContaining("sale notice"), "object unreachable");
    } finally {
      error.mockRestore();
      vi.useRealTimers();
    }
  });
});
