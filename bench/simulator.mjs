// The buyer simulator: many buyers in one process, each on its own loopback
// port, speaking the default buyer protocol of shared/API.md. A ping
// (`{"type":"ping",…}`) is answered after the buyer's latency with a bid or a
// decline; a post (`{"type":"post",…}`) is accepted or refused. The simulator
// records what it received: counts per buyer, and per lead the number of
// pings, the largest delay it applied to them (the slowest buyer the lead had
// to wait for) and the posts.
//
// Run it in its own process (`forkSimulator`) so that its event loop does not
// share a core with the load generator; `createSimulator` is the same thing
// in-process.

import http from "node:http";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const PII_KEYS = ["firstName", "lastName", "email", "phone", "address", "dateOfBirth", "ip"];

/** A behaviour every buyer of a scenario follows unless given its own. */
export const DEFAULT_PROFILE = Object.freeze({
  latency: { meanMs: 0, jitterMs: 0 },
  postLatencyMs: 0,
  declineRate: 0.1,
  postRejectRate: 0.05,
  bid: { minCents: 100, maxCents: 2000 },
});

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalise(profile) {
  const merged = { ...DEFAULT_PROFILE, ...profile };
  merged.latency = { ...DEFAULT_PROFILE.latency, ...profile?.latency };
  merged.bid = profile?.bid ?? DEFAULT_PROFILE.bid;
  return merged;
}

function emptyBuyerStats() {
  return { pings: 0, bids: 0, declines: 0, posts: 0, postAccepts: 0, postRejects: 0, malformed: 0, piiInPing: 0 };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function later(ms, fn) {
  if (ms <= 0) fn();
  else setTimeout(fn, ms);
}

/**
 * Starts `count` buyers on 127.0.0.1, one port each.
 * @param {{count: number, host?: string, seed?: number}} options
 */
export async function createSimulator({ count, host = "127.0.0.1", seed = 1 }) {
  const buyers = [];
  const leads = new Map();
  let random = mulberry32(seed);

  function leadRecord(leadId) {
    let record = leads.get(leadId);
    if (!record) {
      record = { pings: 0, maxDelayMs: 0, posts: 0, postAccepts: 0 };
      leads.set(leadId, record);
    }
    return record;
  }

  function handle(buyer, message, res) {
    const profile = buyer.profile;
    const stats = buyer.stats;
    if (message?.type === "ping") {
      stats.pings++;
      const fields = message.fields ?? {};
      if (PII_KEYS.some((key) => key in fields)) stats.piiInPing++;
      const { meanMs, jitterMs } = profile.latency;
      const delay = Math.max(0, Math.round(meanMs + (random() * 2 - 1) * jitterMs));
      const record = leadRecord(String(message.leadId));
      record.pings++;
      record.maxDelayMs = Math.max(record.maxDelayMs, delay);
      const declines = random() < profile.declineRate;
      const bidCents =
        profile.bid.fixedCents ?? profile.bid.minCents + Math.floor(random() * (profile.bid.maxCents - profile.bid.minCents + 1));
      later(delay, () => {
        if (declines) {
          stats.declines++;
          answer(res, 200, { accept: false, reason: "simulated decline" });
        } else {
          stats.bids++;
          answer(res, 200, { accept: true, bidCents, pingToken: `${buyer.index}:${message.leadId}` });
        }
      });
      return;
    }
    if (message?.type === "post") {
      stats.posts++;
      const record = leadRecord(String(message.leadId));
      record.posts++;
      const rejects = random() < profile.postRejectRate;
      later(profile.postLatencyMs, () => {
        if (rejects) {
          stats.postRejects++;
          answer(res, 200, { accept: false, reason: "simulated post reject" });
        } else {
          stats.postAccepts++;
          record.postAccepts++;
          answer(res, 200, { accept: true, buyerLeadId: `b${buyer.index}-${message.leadId}` });
        }
      });
      return;
    }
    stats.malformed++;
    answer(res, 400, { accept: false, reason: "neither a ping nor a post" });
  }

  for (let index = 0; index < count; index++) {
    const buyer = { index, profile: normalise(undefined), stats: emptyBuyerStats(), server: undefined, url: "" };
    buyer.server = http.createServer(async (req, res) => {
      let message;
      try {
        message = JSON.parse(await readBody(req));
      } catch {
        buyer.stats.malformed++;
        answer(res, 400, { accept: false, reason: "body is not JSON" });
        return;
      }
      handle(buyer, message, res);
    });
    buyer.server.keepAliveTimeout = 60_000;
    await new Promise((resolve, reject) => {
      buyer.server.once("error", reject);
      buyer.server.listen(0, host, resolve);
    });
    buyer.url = `http://${host}:${buyer.server.address().port}/`;
    buyers.push(buyer);
  }

  return {
    urls: () => buyers.map((buyer) => buyer.url),
    /** Gives every buyer the profile (or `profiles[i]` to buyer i) and a fresh random sequence. */
    configure({ profile, profiles, seed: nextSeed = seed } = {}) {
      random = mulberry32(nextSeed);
      buyers.forEach((buyer, i) => {
        buyer.profile = normalise(profiles?.[i] ?? profile);
      });
      return true;
    },
    reset() {
      leads.clear();
      for (const buyer of buyers) buyer.stats = emptyBuyerStats();
      return true;
    },
    /** Totals over all buyers, and the lead records of `leadIds` (all leads when absent). */
    stats({ leadIds } = {}) {
      const totals = emptyBuyerStats();
      for (const buyer of buyers) for (const key of Object.keys(totals)) totals[key] += buyer.stats[key];
      const wanted = leadIds ?? [...leads.keys()];
      const records = {};
      for (const id of wanted) {
        const record = leads.get(id);
        if (record) records[id] = record;
      }
      return { totals, perBuyer: buyers.map((buyer) => buyer.stats), leadCount: leads.size, leads: records };
    },
    async close() {
      await Promise.all(
        buyers.map(
          (buyer) =>
            new Promise((resolve) => {
              buyer.server.close(() => resolve());
              buyer.server.closeAllConnections();
            }),
        ),
      );
      return true;
    },
  };
}

/**
 * Starts the simulator in a child process and returns the same methods as
 * `createSimulator`, each answering a promise.
 */
export async function forkSimulator({ count, seed = 1 }) {
  const child = fork(fileURLToPath(import.meta.url), ["--child"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map();
  let nextId = 0;
  child.on("message", ({ id, result, error }) => {
    const waiter = pending.get(id);
    if (!waiter) return;
    pending.delete(id);
    if (error) waiter.reject(new Error(error));
    else waiter.resolve(result);
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`buyer simulator exited with ${code}`));
    pending.clear();
  });
  const call = (op, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, op, args });
    });
  const urls = await call("start", { count, seed });
  return {
    pid: child.pid,
    urls: () => urls,
    configure: (args) => call("configure", args),
    reset: () => call("reset"),
    stats: (args) => call("stats", args),
    async close() {
      if (child.exitCode !== null) return;
      try {
        await Promise.race([call("close"), new Promise((resolve) => setTimeout(resolve, 2000))]);
      } finally {
        child.kill("SIGKILL");
      }
    },
  };
}

async function childMain() {
  let simulator;
  process.on("disconnect", () => process.exit(0));
  process.on("message", async ({ id, op, args }) => {
    try {
      let result;
      if (op === "start") {
        simulator = await createSimulator(args);
        result = simulator.urls();
      } else {
        result = await simulator[op](args);
      }
      process.send({ id, result });
      if (op === "close") process.exit(0);
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
}

if (process.argv[2] === "--child" && process.send) await childMain();
