import { numberSetting } from "./core/settings";
import { createApp } from "./http/app";
import { piiKeysOf } from "./exchange/piiKeys";
import { resealBuyerAnswers, resealLeads } from "./store/reseal";
import { redactExpiredPii } from "./store/retention";
import { servicesOf } from "./store/services";

const app = createApp();
const DAY_MS = 86_400_000;
/** Leads a day's run re-seals after a key rotation: a few seconds of work; a bigger backlog takes more days. */
const RESEAL_PER_RUN = 20_000;

export default {
  fetch: app.fetch,
  /** Daily: personal fields of leads past the retention period are removed, and PII an older key sealed is sealed again under the current one. */
  async scheduled(controller, env) {
    const { db } = servicesOf(env);
    const days = numberSetting(env.PII_RETENTION_DAYS, 730);
    const changed = await redactExpiredPii(db, new Date(controller.scheduledTime - days * DAY_MS).toISOString());
    console.log(`PII retention: redacted ${changed} lead(s) older than ${days} days`);
    const keys = await piiKeysOf(env);
    const resealed = await resealLeads(db, keys, RESEAL_PER_RUN);
    if (resealed) console.log(`PII key rotation: re-sealed ${resealed} lead(s) under key ${keys.current}`);
    const answers = await resealBuyerAnswers(db, keys, RESEAL_PER_RUN);
    if (answers) console.log(`PII key rotation: re-sealed ${answers} buyer answer(s) (redirect URLs, refusal reasons) under key ${keys.current}`);
  },
} satisfies ExportedHandler<Env>;

export { LeadGate } from "./objects/gate";
export { Counter } from "./objects/counter";
export { Rotation } from "./objects/rotation";
export { PingShard } from "./objects/pingShard";
export { PostbackSender } from "./objects/postbackSender";
export { ConsumerLedger } from "./objects/consumers";
