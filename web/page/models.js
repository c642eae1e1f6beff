// Models: the active one, the list, saving, loading, and the last one kept
// for the next visit (IndexedDB).
import { storage } from "./storage.js";
import { download, on } from "./ui/dom.js";
import { showError } from "./ui/status.js";
import { markModelRemembered, selectedModel, showModel, showModelList } from "./ui/models.js";
import { showWeights } from "./ui/teach.js";
import * as format from "./format.js";

export function initModels(app) {
  const { client, state } = app;

  // `info` (the worker's description of a model) becomes the active model.
  app.setActiveModel = (info, { remembered = false } = {}) => {
    state.models.set(info.name, info);
    state.active = info.name;
    showModel(info, { remembered });
    showModelList([...state.models.values()], state.active);
    app.modelsChanged();
    app.followContinue();
    app.showContinueHint();
    client.request("first_layer_weights").then(showWeights,
      (err) => showError(`Could not show the weights: ${err.message}`));
    if (app.pad.hasInk) app.classifyNow();
    else app.explainNow();
  };

  // The last trained or loaded model survives a reload.
  app.rememberActiveModel = async () => {
    try {
      const name = state.active;
      const bytes = await client.request("model_bytes");
      await storage.set("model", { name, bytes, run: app.runOfModel(name) });
      markModelRemembered(name);
    } catch (err) {
      showError(`The model works, but could not be kept for next time: ${err.message}`);
    }
  };

  app.restoreRememberedModel = async () => {
    let saved;
    try {
      saved = await storage.get("model");
    } catch {
      return; // no IndexedDB (e.g. some private modes): nothing to restore
    }
    if (!saved) return;
    try {
      const info = await client.request("add_model", { name: saved.name, data: saved.bytes });
      app.runModelRestored(saved.run, info.name); // its run in the history can use it again
      app.setActiveModel(info, { remembered: true });
    } catch (err) {
      await storage.delete("model").catch(() => {});
      showError(`Your last model could not be restored (${err.message}); using the pretrained one.`);
    }
  };

  on("model-select", "change", async () => {
    try {
      app.setActiveModel(await client.request("set_active", { name: selectedModel() }));
    } catch (err) {
      showError(err.message);
    }
  });

  on("save-model", "click", async () => {
    try {
      download(await client.request("model_bytes"), `pynet-${state.active}.npz`);
    } catch (err) {
      showError(`Could not save the model: ${err.message}`);
    }
  });

  // The worker answers with the .onnx file's bytes (pynet's graph description, encoded by onnx-proto there).
  on("save-onnx", "click", async () => {
    try {
      download(await client.request("onnx_file"), `pynet-${state.active}.onnx`);
    } catch (err) {
      showError(`Could not save the model as ONNX: ${err.message}`);
    }
  });

  on("use-pretrained", "click", async () => {
    app.setActiveModel(await client.request("set_active", { name: "pretrained" }));
    await storage.delete("model").catch(() => {}); // next visit starts with the pretrained model
  });

  on("load-model", "change", async (event) => {
    const input = event.target;
    const file = input.files[0];
    input.value = ""; // picking the same file again fires change again
    if (!file) return;
    try {
      const limit = state.schema.max_model_bytes;
      if (file.size > limit) {
        throw new Error(`the file is too large (${format.decimal(file.size / 1e6, 1)} MB; the limit is ${format.integer(limit / 1e6)} MB)`);
      }
      const data = new Uint8Array(await file.arrayBuffer());
      const name = file.name.replace(/\.[A-Za-z0-9]{1,8}$/, "") || "loaded"; // any extension: a renamed file too
      app.setActiveModel(await client.request("add_model", { name, data }, [data.buffer]));
      showError("");
      await app.rememberActiveModel();
    } catch (err) {
      showError(`Could not load ${file.name}: ${err.message}. The active model is still ${state.active}.`);
    }
  });
}
