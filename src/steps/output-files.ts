/**
 * Names of step outputs that other steps read, in a module of their own so that reading them
 * (register reads train's model and evaluate's validation report) does not load the code of the
 * step that writes them.
 */

/** train: the model directory inside its output. */
export const MODEL_DIR = 'model';
/**
 * train: the model's content digest (src/models/content-digest.ts), written once with the model.
 * register compares it with the champion's on every `recipe run`; read from here, a run whose
 * train step is cached need not read the model (nor load the YAML parser for its MLmodel).
 */
export const MODEL_DIGEST_FILE = 'model.digest';
/** evaluate: the validation report (status and criteria). */
export const VALIDATION_FILE = 'validation.json';
/** evaluate: the metrics per split. */
export const METRICS_FILE = 'metrics.json';
