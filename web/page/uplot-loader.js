// Imports uPlot (the site's vendor/uPlot.esm.js, copied unchanged from npm's uplot)
// so that a browser language Intl rejects cannot make the import throw.
//
// The upstream problem, as reported to uPlot's maintainers:
//   uPlot 1.6.32 (the latest release on npm) evaluates, at module import,
//     const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');
//   `navigator.language` need not be a valid BCP 47 tag: WebKitGTK reports "C"
//   when the system locale is LANG=C or C.UTF-8 (the default of most Linux
//   containers), some Linux browsers "en-US@posix". `Intl.NumberFormat` throws
//   a RangeError for those ("invalid language tag: C"), so the import itself
//   fails and no chart can be made, even one whose axes and legend have their
//   own `values`/`value` formatters. Expected: the import never throws; use
//   the implementation's default locale (`new Intl.NumberFormat()`), or fall
//   back to it when the tag is rejected.
//   Reported as leeoniya/uPlot#1053 ("uplot crashes with linux default en-US
//   locale", en-US@posix) and fixed on master by #1054 (commit 8eafc95, April
//   2025: `new Intl.NumberFormat()`), but no release carries the fix yet.
//
// The workaround: while the module is evaluated, and only when the browser's
// language is not a valid tag, `navigator.language` reads as the page's own
// validated locale (an own property on the navigator object that shadows
// Navigator.prototype's getter, removed as soon as the import settles). The
// charts pass the page's formatters to uPlot, so its own number format is
// never shown. Drop this file once a uPlot release with #1054 is vendored.

const isValidTag = (tag) => {
  try {
    return Intl.getCanonicalLocales(tag).length > 0;
  } catch {
    return false;
  }
};

/**
 * uPlot's default export.
 * @param {string} locale a valid language tag, read as navigator.language during the import when the browser's is invalid
 * @returns {Promise<Function>} the uPlot constructor
 * @throws whatever the import throws for other reasons (a missing file, a network error): the caller decides
 */
export async function importUPlot(locale) {
  if (isValidTag(navigator.language)) return (await import("../vendor/uPlot.esm.js")).default;
  let shadowed = false;
  try {
    Object.defineProperty(navigator, "language", { value: locale, configurable: true });
    shadowed = true;
  } catch {
    // an engine that forbids it: the import below fails and the caller shows its note
  }
  try {
    return (await import("../vendor/uPlot.esm.js")).default;
  } finally {
    if (shadowed) delete navigator.language; // Navigator.prototype's getter shows again
  }
}
