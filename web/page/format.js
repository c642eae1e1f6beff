// Every number the page shows, formatted in one validated locale.
//
// The browser's preferred language is not always a valid BCP 47 language tag:
// WebKitGTK reports "C" on a system with LANG=C.UTF-8 (most containers and many
// Linux machines), some Linux browsers "en-US@posix", and
// `new Intl.NumberFormat(tag)` throws a RangeError for either. So the page
// formats with the first of the browser's languages that Intl accepts and
// supports, else "en", and nothing here can throw for a bad locale.
//
// In an English locale the output is what the page showed before this module
// (toFixed percentages, toLocaleString counts). Exponent notation (1.2e-7) stays
// JavaScript's own in every locale: Intl's scientific notation would write 1.2E-7.

/**
 * The first of `candidates` that is a well-formed language tag Intl can format
 * numbers for, canonicalised ("EN-us" -> "en-US"); `fallback` when none is.
 * @param {Iterable<unknown>} candidates e.g. navigator.languages
 * @param {string} fallback a tag known to be valid
 * @returns {string}
 */
export function validLocale(candidates, fallback = "en") {
  for (const tag of candidates) {
    if (typeof tag !== "string" || !tag) continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0) return canonical;
    } catch {
      // RangeError: not a language tag ("C", "en-US@posix", "de_DE"); try the next one
    }
  }
  return fallback;
}

const browserLanguages = () => (typeof navigator === "undefined" ? []
  : [...(navigator.languages ?? []), navigator.language]);

/** The locale the page formats numbers in. */
export const locale = validLocale(browserLanguages());

const formatters = new Map();
function formatter(tag, options) {
  const key = `${tag} ${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(tag, options);
    formatters.set(key, f);
  }
  return f;
}

/** A number with Intl's defaults (grouping, up to 3 decimals): 12,345.678. */
export const number = (v, tag = locale) => formatter(tag, {}).format(v);

/** Rounded to a whole number, grouped: 12,346. */
export const integer = (v, tag = locale) => formatter(tag, { maximumFractionDigits: 0 }).format(v);

/** Exactly `digits` decimals, like toFixed: 0.1235 (`digits` 4). */
export const decimal = (v, digits, tag = locale) =>
  formatter(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);

/** A fraction as a percentage with `digits` decimals: 0.976 -> 97.60% (`digits` 2). */
export const percent = (fraction, digits = 0, tag = locale) =>
  formatter(tag, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(fraction);

/** `digits` significant digits, like toPrecision: 0.0080 (`digits` 2); below 1e-6
 * in exponent notation, as toPrecision writes it (1.6e-7). */
export const significant = (v, digits, tag = locale) => (v !== 0 && Math.abs(v) < 1e-6 ? v.toPrecision(digits)
  : formatter(tag, { minimumSignificantDigits: digits, maximumSignificantDigits: digits }).format(v));

/** At most three significant digits, grouped: 0.008, 0.0003, 12,300 (learning rates, settings). */
export const short = (v, tag = locale) => formatter(tag, { maximumSignificantDigits: 3 }).format(v);

const dateFormats = new Map();
/** A moment (ms since 1970) as a short date and time: 28/11/2026, 14:05. */
export function dateTime(ms, tag = locale) {
  try {
    let f = dateFormats.get(tag);
    if (!f) {
      f = new Intl.DateTimeFormat(tag, { dateStyle: "short", timeStyle: "short" });
      dateFormats.set(tag, f);
    }
    return f.format(new Date(ms));
  } catch {
    return new Date(ms).toISOString().slice(0, 16).replace("T", " "); // no date format for this locale
  }
}

// An unsure answer as the page writes it: "4 or 7?", naming the runner-up only
// when the network gives it at least 1 % (a digit unsure for a reason of the
// picture's or of finding it, read 98 % surely, is "4?": "4 or 7?" with the 7
// under 1 % contradicted the bars, a walkthrough found, 2026-12-07).
export function unsureGuess(result) {
  const other = result.alternatives?.[0];
  return other !== undefined && result.probs?.[other] >= 0.01 ? `${result.digit} or ${other}?` : `${result.digit}?`;
}

// Why a number's digits are unsure or were cleaned first, one phrase a
// reason: digits sharing a reason are named together ("digits 1, 2 and 4
// are unsure, each because it overlaps its neighbour: ..."), not the same
// sentence once a digit; an unsure digit with no reason of its own (the
// network is unsure of it) gives the network's guess ("digit 1 is unsure:
// 1 or 7?"). digits: [{digit, unsure, why, alternatives, probs}].
export function digitReasons(digits) {
  const groups = new Map();
  digits.forEach((d, k) => {
    if (!d.unsure && !d.why) return;
    const kind = !d.unsure ? "cleaned" : d.why ? "unsure" : "guess";
    const key = kind === "guess" ? `guess ${k}` : `${kind} ${d.why}`;
    if (!groups.has(key)) groups.set(key, { kind, why: d.why || unsureGuess(d), numbers: [] });
    groups.get(key).numbers.push(k + 1);
  });
  return [...groups.values()].map(({ kind, why, numbers }) => {
    const one = numbers.length === 1;
    const names = one ? `digit ${numbers[0]}` : `digits ${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;
    if (kind === "cleaned") return `${names} ${one ? "was" : "were"} cleaned first: ${why}`;
    if (kind === "guess") return `${names} is unsure: ${why}`;
    return one ? `${names} is unsure because ${why}` : `${names} are unsure, each because ${why}`;
  });
}
