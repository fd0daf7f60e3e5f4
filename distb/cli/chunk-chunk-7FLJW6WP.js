import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  inferInputSchema,
  outputSchema,
  signatureToDocument
} from "./chunk-chunk-Q7UGKYBB.js";
import {
  FLAVOR_NAME,
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  PIPELINE_FILE,
  formatMLmodel,
  formatUtcTimeCreated,
  mlrecipeVersion,
  newModelUuid
} from "./chunk-chunk-KDV6IQPO.js";
import {
  selectColumns,
  stringifyPipelineDocument
} from "./chunk-chunk-THZAPR4X.js";
import {
  replaceAtomically
} from "./chunk-chunk-NOK55ACX.js";
import {
  DataError
} from "./chunk-chunk-FHTLSLDU.js";

// src/models/save.ts
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
var CODE_DIR = "code";
function saveModel(options) {
  const { dir, pipeline } = options;
  if (existsSync(dir)) {
    throw new DataError(`cannot save the model: ${dir} already exists`, {
      hint: "choose a new directory or remove the old one"
    });
  }
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  return replaceAtomically(dir, (tmp) => {
    mkdirSync(tmp);
    const inputs = selectColumns(options.inputExample, pipeline.inputColumns);
    const types = options.columnTypes ? pipeline.inputColumns.map((name) => {
      const index = options.inputExample.columns.findIndex((column) => column.name === name);
      return options.columnTypes?.[index] ?? "double";
    }) : void 0;
    const signature = {
      inputs: inferInputSchema(inputs, types),
      outputs: outputSchema(pipeline.problemType)
    };
    const codeFiles = copyCustomCode(pipeline, tmp);
    const doc = pipeline.toDocument(codeFiles);
    writeFileSync(join(tmp, PIPELINE_FILE), stringifyPipelineDocument(doc));
    writeFileSync(join(tmp, INPUT_EXAMPLE_FILE), `${inputExampleJson(inputs, options.exampleRows ?? 5)}
`);
    const modelUuid = newModelUuid();
    const version = mlrecipeVersion();
    const mlmodel = {
      ...options.artifactPath ? { artifact_path: options.artifactPath } : {},
      flavors: {
        [FLAVOR_NAME]: {
          pipeline: PIPELINE_FILE,
          mlrecipe_version: version,
          estimator: doc.estimator.kind === "builtin" ? doc.estimator.name : "custom",
          problem_type: pipeline.problemType,
          ...codeFiles.size > 0 ? { code: CODE_DIR } : {}
        }
      },
      mlrecipe_version: version,
      model_uuid: modelUuid,
      ...options.runId ? { run_id: options.runId } : {},
      saved_input_example_info: {
        artifact_path: INPUT_EXAMPLE_FILE,
        type: "dataframe",
        pandas_orient: "split"
      },
      signature: signatureToDocument(signature),
      utc_time_created: formatUtcTimeCreated(options.now ?? /* @__PURE__ */ new Date())
    };
    writeFileSync(join(tmp, MLMODEL_FILE), formatMLmodel(mlmodel));
    return { dir, modelUuid, signature, mlmodel };
  });
}
function copyCustomCode(pipeline, modelDir) {
  const copies = /* @__PURE__ */ new Map();
  const used = /* @__PURE__ */ new Set();
  for (const source of [pipeline.transformerSource, pipeline.estimatorSource]) {
    if (source.kind !== "custom" || copies.has(source.modulePath)) continue;
    const ext = extname(source.modulePath);
    const stem = basename(source.modulePath, ext);
    let name = `${stem}${ext}`;
    for (let k = 2; used.has(name); k++) name = `${stem}_${k}${ext}`;
    used.add(name);
    mkdirSync(join(modelDir, CODE_DIR), { recursive: true });
    copyFileSync(source.modulePath, join(modelDir, CODE_DIR, name));
    copies.set(source.modulePath, `${CODE_DIR}/${name}`);
  }
  return copies;
}
function inputExampleJson(frame, maxRows) {
  const n = Math.min(frame.nRows, maxRows);
  const data = [];
  for (let i = 0; i < n; i++) {
    data.push(
      frame.columns.map((column) => {
        const v = column.values[i];
        return typeof v === "number" && !Number.isFinite(v) ? null : v;
      })
    );
  }
  return JSON.stringify({ columns: frame.columns.map((column) => column.name), data });
}

export {
  CODE_DIR,
  saveModel
};
