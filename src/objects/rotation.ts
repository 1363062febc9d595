/**
 * Where a round-robin tier starts: one object per tree and tier name, so the
 * rotation advances exactly once per run however many isolates run the tree.
 * It remembers the lead point that started the last run, not a count, so
 * positions left out of one run do not shift whose turn is next.
 */
import { DurableObject } from "cloudflare:workers";
import { rotationStart } from "../core/tiers/rotation";

export class Rotation extends DurableObject<Env> {
  /** The lead point that starts this run (see rotationStart); it is remembered as the last to start. */
  async next(listed: string[], eligible: string[]): Promise<string | undefined> {
    const start = rotationStart(listed, new Set(eligible), await this.ctx.storage.get<string>("last"));
    if (start !== undefined) await this.ctx.storage.put("last", start);
    return start;
  }
}

export function rotationName(treeId: string, tierName: string): string {
  return `rotation:${treeId}:${tierName}`;
}
