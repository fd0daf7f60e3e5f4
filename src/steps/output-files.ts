/**
 * Names of step outputs that other steps read, in a module of their own so that reading them
 * (register reads train's model and evaluate's validation report) does not load the code of the
 * step that writes them.
 */

/** train: the model directory inside its output. */
export const MODEL_DIR = 'model';
/** evaluate: the validation report (status and criteria). */
export const VALIDATION_FILE = 'validation.json';
/** evaluate: the metrics per split. */
export const METRICS_FILE = 'metrics.json';
