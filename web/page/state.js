// The page's state: one object, read by every flow module, shown by ui/controls.js.
// Jobs (training, fine-tuning, evaluation) live in `job`, documented in jobs.js
// and changed only there.
export const state = {
  ready: false, // Python is up and a model is loaded
  crashed: false,
  job: null, // the one long job in the worker, or null: see jobs.js
  schema: null, // pynet's settings table and limits (the worker's ready reply)
  models: new Map(), // name -> info of every model the worker holds
  active: null, // the model that classifies
  samples: [], // taught drawings: {label, x: 784 float32 as bytes}
  classify: { inFlight: false, dirty: false, lastInkChange: 0 },
  answer: null, // the drawing's or picture's answer: the number, digit by digit (classify.js)
  selectedDigit: 0, // the digit of a number whose bars, input and explanation are shown
  explaining: false, // an explanation request is in flight
  step: null, // the step-through: {stage: stages done (0-4)} while one is set up
  checkingSettings: false, // Train was pressed and pynet is checking the settings
};
