/**
 * Every signal the score knows, with its hand-set points: what a lead loses
 * when the signal is found, until weights fitted to the exchange's own
 * outcomes are activated (fit.ts). The names are stable: reports, buyers and
 * stored weights key on them.
 */
export const HAND_SET_POINTS = {
  email_disposable: -40,
  email_reserved_domain: -40,
  email_role_or_test: -15,
  phone_invalid: -25,
  phone_fictional: -25,
  phone_outside_us: -10,
  phone_state_mismatch: -5,
  name_same: -20,
  name_placeholder: -30,
  name_digits: -20,
  name_repeated_letters: -15,
  state_zip_mismatch: -20,
  city_zip_mismatch: -10,
  address_missing: -5,
  age_minor: -40,
  age_implausible: -20,
  consent_ip_mismatch: -10,
  consent_stale: -15,
  form_honeypot_filled: -60,
  form_fill_too_fast: -40,
  velocity_phone: -15,
  velocity_email: -15,
  velocity_ip: -10,
  qualifier_missing: -10,
  qualifier_implausible: -20,
} as const satisfies Record<string, number>;

export type SignalName = keyof typeof HAND_SET_POINTS;
export const SIGNAL_NAMES = Object.keys(HAND_SET_POINTS) as SignalName[];

/** A signal found on a lead, before the weights say what it costs. */
export interface Finding {
  name: SignalName;
  detail: string;
}

/**
 * The points each signal costs under one version of the weights. Version 0
 * is the hand-set table; fitted versions count from 1. A signal a version
 * does not name costs its hand-set points.
 */
export interface ScoreWeights {
  version: number;
  points: Partial<Record<SignalName, number>>;
}

export const HAND_SET_WEIGHTS: ScoreWeights = { version: 0, points: HAND_SET_POINTS };

export function isSignalName(name: string): name is SignalName {
  return Object.hasOwn(HAND_SET_POINTS, name);
}
