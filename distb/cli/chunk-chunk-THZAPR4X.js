import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  CustomClassifier,
  CustomRegressor
} from "./chunk-chunk-6XT5LMGO.js";
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/models/pipeline.ts
var PIPELINE_FORMAT = "mlrecipe.pipeline";
var PIPELINE_FORMAT_VERSION = 1;
var ModelPipeline = class {
  problemType;
  targetCol;
  inputColumns;
  transformer;
  transformerSource;
  estimator;
  estimatorSource;
  classes;
  positiveClass;
  constructor(options) {
    this.problemType = options.problemType;
    this.targetCol = options.targetCol;
    this.inputColumns = options.inputColumns;
    this.transformer = options.transformer;
    this.transformerSource = options.transformerSource ?? { kind: "builtin" };
    this.estimator = options.estimator;
    this.estimatorSource = options.estimatorSource ?? { kind: "builtin" };
    this.classes = options.classes;
    this.positiveClass = options.positiveClass;
    if (options.problemType === "classification") {
      if (options.estimator.kind !== "classifier") {
        throw new DataError("a classification pipeline needs a classifier, but the estimator is a regressor");
      }
      if (!options.classes || options.classes.length < 2) {
        throw new DataError("a classification pipeline needs at least two class labels");
      }
    } else if (options.estimator.kind !== "regressor") {
      throw new DataError("a regression pipeline needs a regressor, but the estimator is a classifier");
    }
  }
  /** Raw frame (columns named as in `inputColumns`) → feature matrix. */
  features(frame) {
    return this.transformer.transform(selectColumns(frame, this.inputColumns));
  }
  /** Numbers for regression; class labels for classification. */
  predict(frame) {
    const X = this.features(frame);
    if (this.estimator.kind === "regressor") return this.estimator.predict(X);
    const classes = this.classes ?? [];
    const indices = this.estimator.predict(X);
    const labels = new Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const label = classes[indices[i]];
      if (label === void 0) {
        throw new DataError(
          `the estimator predicted class index ${indices[i]} for row ${i + 1}, but the model has ${classes.length} classes`
        );
      }
      labels[i] = label;
    }
    return labels;
  }
  /** Class indices per row (classification only). */
  predictIndices(frame) {
    return this.classifier().predict(this.features(frame));
  }
  /** One probability array per class, in `classes` order (classification only). */
  predictProba(frame) {
    return this.classifier().predictProba(this.features(frame));
  }
  classifier() {
    if (this.estimator.kind !== "classifier") {
      throw new DataError("class probabilities exist only for classification models");
    }
    return this.estimator;
  }
  /**
   * The pipeline as `pipeline.json`. `codeFiles` maps a custom component's module path to its
   * path inside the model directory (save.ts copies the file there).
   */
  toDocument(codeFiles) {
    return {
      format: PIPELINE_FORMAT,
      format_version: PIPELINE_FORMAT_VERSION,
      problem_type: this.problemType,
      target_col: this.targetCol,
      input_columns: this.inputColumns,
      feature_names: this.transformer.featureNames(),
      ...this.classes ? { classes: this.classes } : {},
      ...this.positiveClass !== void 0 ? { positive_class: this.positiveClass } : {},
      transformer: transformerDocument(this.transformer, this.transformerSource, codeFiles),
      estimator: estimatorDocument(this.estimator, this.estimatorSource, codeFiles)
    };
  }
};
function transformerDocument(transformer, source, codeFiles) {
  if (transformer instanceof PassthroughTransformer)
    return { kind: "passthrough", columns: transformer.columns };
  if (source.kind === "builtin") return { kind: "column_transformer", state: transformer.toJSON() };
  return {
    kind: "custom",
    code: codeFileFor(source.modulePath, codeFiles),
    method: source.method,
    ...source.params ? { params: source.params } : {},
    state: transformer.toJSON()
  };
}
function estimatorDocument(estimator, source, codeFiles) {
  if (source.kind === "builtin") return { kind: "builtin", ...estimator.toJSON() };
  const custom = estimator instanceof CustomRegressor || estimator instanceof CustomClassifier;
  return {
    kind: "custom",
    code: codeFileFor(source.modulePath, codeFiles),
    method: source.method,
    ...source.params ? { params: source.params } : {},
    state: custom ? estimator.userState() : estimator.toJSON()
  };
}
function codeFileFor(modulePath, codeFiles) {
  const code = codeFiles.get(modulePath);
  if (code === void 0)
    throw new Error(`internal: no copy of ${modulePath} was made in the model directory`);
  return code;
}
function selectColumns(frame, names) {
  const byName = new Map(frame.columns.map((column) => [column.name, column]));
  const columns = names.map((name) => {
    const column = byName.get(name);
    if (column === void 0) {
      throw new DataError(`the input has no column "${name}"`, {
        hint: `the model expects the columns ${names.join(", ")}`
      });
    }
    return column;
  });
  return { nRows: frame.nRows, columns };
}
function dropColumn(frame, name) {
  return { nRows: frame.nRows, columns: frame.columns.filter((column) => column.name !== name) };
}
var PassthroughTransformer = class {
  columns;
  constructor(columns) {
    this.columns = columns;
  }
  transform(frame) {
    const selected = selectColumns(frame, this.columns);
    return {
      nRows: frame.nRows,
      columns: selected.columns.map((column) => {
        if (column.type !== "number") {
          throw new DataError(
            `column "${column.name}" is text; a passthrough transformer takes numeric columns only`,
            {
              hint: "add a transform step (the default one-hot encodes text columns)"
            }
          );
        }
        return column.values;
      })
    };
  }
  featureNames() {
    return [...this.columns];
  }
  toJSON() {
    return { columns: this.columns };
  }
};
function stringifyPipelineDocument(doc) {
  return `${JSON.stringify(doc, (_key, value) => typeof value === "number" && !Number.isFinite(value) ? { $float: String(value) } : value, 1)}
`;
}
function parsePipelineDocument(text, where) {
  let doc;
  try {
    doc = JSON.parse(text, (_key, value) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const special = value.$float;
        if (typeof special === "string" && Object.keys(value).length === 1) return Number(special);
      }
      return value;
    });
  } catch (error) {
    throw new DataError(`${where}: not valid JSON (${error.message})`, { cause: error });
  }
  const d = doc;
  if (d === null || typeof d !== "object" || d.format !== PIPELINE_FORMAT) {
    throw new DataError(
      `${where}: not an mlrecipe pipeline document (expected "format": "${PIPELINE_FORMAT}")`
    );
  }
  if (typeof d.format_version !== "number" || d.format_version > PIPELINE_FORMAT_VERSION) {
    throw new DataError(
      `${where}: pipeline format_version ${String(d.format_version)} is newer than this mlrecipe reads (${PIPELINE_FORMAT_VERSION})`,
      {
        hint: "upgrade mlrecipe"
      }
    );
  }
  if (d.problem_type !== "regression" && d.problem_type !== "classification") {
    throw new DataError(`${where}: problem_type must be "regression" or "classification"`);
  }
  if (!Array.isArray(d.input_columns) || typeof d.target_col !== "string" || !d.transformer || !d.estimator) {
    throw new DataError(`${where}: input_columns, target_col, transformer and estimator are required`);
  }
  return d;
}

export {
  ModelPipeline,
  selectColumns,
  dropColumn,
  PassthroughTransformer,
  stringifyPipelineDocument,
  parsePipelineDocument
};
