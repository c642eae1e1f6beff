// Reads and checks the training form; each problem is reported next to its field.
const FIELDS = ["hidden-layers", "learning-rate", "batch-size", "epochs", "seed"];
const MAX_PARAMS = 20_000_000; // same budget as pynet/web.py

function wholeNumber(text, min, max, what) {
  if (!/^\s*-?\d+\s*$/.test(text)) return [null, `${what} must be a whole number`];
  const n = Number(text);
  if (n < min || n > max) return [null, `${what} must be between ${min} and ${max}`];
  return [n, null];
}

export function readSettings(form) {
  const errors = {};
  const get = (id) => form.querySelector(`#${id}`).value.trim();

  const hiddenText = get("hidden-layers").replace(/\s+/g, "");
  let hidden = [];
  if (hiddenText !== "" && !/^\d+(,\d+)*$/.test(hiddenText)) {
    errors["hidden-layers"] = "use sizes separated by commas, like 128 or 256,128";
  } else {
    hidden = hiddenText === "" ? [] : hiddenText.split(",").map(Number);
    const sizes = [784, ...hidden, 10];
    const params = sizes.slice(1).reduce((sum, n, i) => sum + sizes[i] * n + n, 0);
    if (hidden.some((h) => h < 1 || h > 8192)) errors["hidden-layers"] = "each layer needs 1 to 8192 units";
    else if (hidden.length > 8) errors["hidden-layers"] = "at most 8 hidden layers";
    else if (params > MAX_PARAMS) errors["hidden-layers"] = `${params.toLocaleString()} weights would not fit in the tab's memory`;
  }
  const lrText = get("learning-rate");
  const lr = Number(lrText);
  if (lrText === "" || !Number.isFinite(lr) || lr <= 0) errors["learning-rate"] = "must be a positive number, like 0.001";
  else if (lr > 10) errors["learning-rate"] = "must be at most 10";
  const [batch, batchErr] = wholeNumber(get("batch-size"), 1, 4096, "batch size");
  if (batchErr) errors["batch-size"] = batchErr;
  const [epochs, epochErr] = wholeNumber(get("epochs"), 1, 100, "epochs");
  if (epochErr) errors["epochs"] = epochErr;
  const [seed, seedErr] = wholeNumber(get("seed"), 0, 2 ** 31 - 1, "seed");
  if (seedErr) errors["seed"] = seedErr;

  const settings = {
    hidden: hidden.join(","), lr, batch_size: batch, epochs, seed,
    optimizer: form.querySelector("#optimizer").value,
    augment: form.querySelector("#augment").checked,
    schedule: "cosine",
  };
  return { settings, errors, fields: FIELDS };
}
