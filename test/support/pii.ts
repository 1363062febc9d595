/** A lead sealed as the Worker seals it at intake, for tests that put a lead in a gate's log themselves. */
import { env } from "cloudflare:workers";
import type { Lead } from "../../src/core/lead";
import { sealLead, type SealedLead } from "../../src/core/piiSeal";
import { piiKeysOf } from "../../src/exchange/piiKeys";

export async function sealed(lead: Lead): Promise<SealedLead> {
  return sealLead(await piiKeysOf(env), lead, []);
}
