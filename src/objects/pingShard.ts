import { DurableObject } from "cloudflare:workers";
import type { PingAttempt } from "../core/attempt";
import { createBuyerClient } from "../buyers/client";
import { pingJobs, type PingEnvelope, type PingJob, type PingShardService } from "../buyers/fanout";

/**
 * One share of an auction's pings: at most six buyers, each under the
 * absolute deadline the auction gave it. A Durable Object and not a
 * service-binding entrypoint, because Cloudflare's limits page measures the
 * six connections from the top-level request, so Workers reached through a
 * service binding share the caller's six; a Durable Object request is its
 * own invocation with its own six. The object keeps no state: it is a warm
 * place to open connections from.
 */
export class PingShard extends DurableObject<Env> implements PingShardService {
  async ping(jobs: PingJob[], message: PingEnvelope): Promise<PingAttempt[]> {
    return pingJobs(createBuyerClient(), jobs, message);
  }
}

/**
 * Shard objects form a fixed pool so they stay warm (creating an object costs
 * more than a whole fan-out); a run takes consecutive objects from a random
 * start so that concurrent auctions spread over the pool.
 */
export function pingShardNames(count: number, poolSize: number, random = Math.random): string[] {
  const pool = Math.max(1, Math.floor(poolSize));
  const start = Math.floor(random() * pool);
  return Array.from({ length: count }, (_, i) => `ping-shard:${(start + i) % pool}`);
}
