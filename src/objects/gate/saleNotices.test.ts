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

/** A send whose calls are answered by hand, in order. */
function heldSend() {
  const calls: { ids: string[]; answer: () => void }[] = [];
  const send = (entries: LeadLogEntry[]) => new Promise<void>((resolve) => void calls.push({ ids: entries.map((e) => e.lead.id), answer: resolve }));
  return { calls, send };
}

describe("a gate's sale notices", () => {
  it("tell a sale at once, and the sales answered while a notice is on its way together in the next", async () => {
    const { calls, send } = heldSend();
    const held: Promise<unknown>[] = [];
    const notices = new SaleNotices({ send, waitUntil: (promise) => void held.push(promise) });
    notices.note(entry("ld_a"));
    expect(calls.map((c) => c.ids)).toEqual([["ld_a"]]);
    notices.note(entry("ld_b"));
    notices.note(entry("ld_unsold", { sold: false }));
    notices.note(entry("ld_keyless", { keys: 0 }));
    notices.note(entry("ld_c"));
    expect(calls).toHaveLength(1);
    calls[0]?.answer();
    await held[0];
    expect(calls.map((c) => c.ids)).toEqual([["ld_a"], ["ld_b", "ld_c"]]);
    calls[1]?.answer();
    await held[1];
    notices.note(entry("ld_d"));
    expect(calls.map((c) => c.ids)).toEqual([["ld_a"], ["ld_b", "ld_c"], ["ld_d"]]);
  });

  it("log a failed notice, hand the gate a promise that does not reject (the D1 batch records the sale anyway), and send the next", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const held: Promise<unknown>[] = [];
      const sent: string[][] = [];
      let fail = true;
      const send = async (entries: LeadLogEntry[]) => {
        sent.push(entries.map((e) => e.lead.id));
        if (fail) throw new Error("object unreachable");
      };
      const notices = new SaleNotices({ send, waitUntil: (promise) => void held.push(promise) });
      notices.note(entry("ld_a"));
      await expect(held[0]).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith(expect.stringContaining("sale notice"), "object unreachable");
      fail = false;
      notices.note(entry("ld_b"));
      await held[1];
      expect(sent).toEqual([["ld_a"], ["ld_b"]]);
    } finally {
      error.mockRestore();
    }
  });
});
