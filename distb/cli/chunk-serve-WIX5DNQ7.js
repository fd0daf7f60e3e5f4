import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  frameFromScoringPayload,
  predictionsJson
} from "./chunk-chunk-7GSX5MIE.js";
import {
  loadModel
} from "./chunk-chunk-VN34J2SD.js";
import "./chunk-chunk-Q7UGKYBB.js";
import {
  mlrecipeVersion
} from "./chunk-chunk-KDV6IQPO.js";
import "./chunk-chunk-Q4SBLVJO.js";
import "./chunk-chunk-THZAPR4X.js";
import "./chunk-chunk-VDD6CXJ7.js";
import "./chunk-chunk-AZRY3V2P.js";
import "./chunk-chunk-QRGYUBPG.js";
import "./chunk-chunk-6XT5LMGO.js";
import "./chunk-chunk-V6YR2ZJT.js";
import "./chunk-chunk-NPUIUAV7.js";
import {
  ColumnBuilder,
  finishBuilders,
  uniqueColumnNames
} from "./chunk-chunk-Q4DOMFBY.js";
import "./chunk-chunk-NOK55ACX.js";
import {
  DataError,
  UsageError,
  isMlrecipeError
} from "./chunk-chunk-FHTLSLDU.js";
import "./chunk-chunk-ZGLOIRZZ.js";

// src/server/serve.ts
import cluster from "node:cluster";
import { fileURLToPath } from "node:url";

// src/server/scoring-server.ts
import { parse as parseCsv } from "csv-parse/sync";
import Fastify from "fastify";
var DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024;
var CONTENT_TYPE_JSON = "application/json";
var CONTENT_TYPE_CSV = "text/csv";
var DEFAULT_REQUEST_TIMEOUT_MS = 3e4;
var ScoringRequestError = class extends Error {
  constructor(status, errorCode, message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
  status;
  errorCode;
};
function sendError(reply, status, errorCode, message) {
  const body = { error_code: errorCode, message };
  return reply.code(status).type(CONTENT_TYPE_JSON).send(JSON.stringify(body));
}
function mediaType(header) {
  if (header === void 0) return void 0;
  return header.split(";", 1)[0]?.trim().toLowerCase();
}
function checkCharset(header) {
  if (header === void 0) return;
  for (const parameter of header.split(";").slice(1)) {
    const [key, ...rest] = parameter.split("=");
    if (key?.trim().toLowerCase() !== "charset") continue;
    const charset = rest.join("=").trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") {
      throw new ScoringRequestError(
        400,
        "BAD_REQUEST",
        `the scoring server only supports UTF-8 bodies, not charset=${charset}; encode the body as UTF-8 and send charset=utf-8 (or no charset)`
      );
    }
  }
}
function clientErrorAnswer(code) {
  if (code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      body: {
        error_code: "BAD_REQUEST",
        message: "the request headers are larger than the server accepts (16 KiB); send fewer or shorter headers"
      }
    };
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      body: {
        error_code: "BAD_REQUEST",
        message: "the request did not arrive in full within the server\u2019s request timeout; the connection is closed"
      }
    };
  }
  return {
    status: 400,
    body: {
      error_code: "MALFORMED_REQUEST",
      message: `the request is not valid HTTP/1.1 (${code ?? "parse error"})`
    }
  };
}
var STATUS_TEXT = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large"
};
function messageWithHint(error) {
  const hint = isMlrecipeError(error) ? error.hint : void 0;
  return hint ? `${error.message} (${hint})` : error.message;
}
function frameFromCsvText(text) {
  let rows;
  try {
    rows = parseCsv(text, { bom: true, skip_empty_lines: true, relax_quotes: false });
  } catch (error) {
    throw new ScoringRequestError(
      400,
      "MALFORMED_REQUEST",
      `the CSV body cannot be parsed: ${error.message}`
    );
  }
  const header = rows[0];
  if (header === void 0) {
    throw new ScoringRequestError(
      400,
      "BAD_REQUEST",
      "the CSV body is empty; send a header row, then the rows to score"
    );
  }
  const names = uniqueColumnNames(header);
  const build = (forced) => {
    const builders2 = names.map(
      (name) => new ColumnBuilder(name, { forceString: forced.has(name), capacity: rows.length })
    );
    for (let i = 1; i < rows.length; i++) {
      const row = rows[i];
      for (let j = 0; j < builders2.length; j++) builders2[j].pushText(row[j]);
    }
    return builders2;
  };
  let builders = build(/* @__PURE__ */ new Set());
  const lost = builders.filter((b) => b.lostText).map((b) => b.name);
  if (lost.length > 0) builders = build(new Set(lost));
  return finishBuilders(builders, rows.length - 1).frame;
}
function frameFromJsonText(text, model) {
  let payload;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new ScoringRequestError(
      400,
      "MALFORMED_REQUEST",
      `the request body is not valid JSON: ${error.message}`
    );
  }
  return frameFromScoringPayload(payload, model.signature.inputs);
}
function requestFrame(request, model) {
  checkCharset(request.headers["content-type"]);
  const type = mediaType(request.headers["content-type"]);
  const text = typeof request.body === "string" ? request.body : "";
  if (type === CONTENT_TYPE_JSON) return frameFromJsonText(text, model);
  if (type === CONTENT_TYPE_CSV) return frameFromCsvText(text);
  throw new ScoringRequestError(415, "BAD_REQUEST", unsupportedTypeMessage(request.headers["content-type"]));
}
function unsupportedTypeMessage(header) {
  return `this server accepts Content-Type ${CONTENT_TYPE_JSON} or ${CONTENT_TYPE_CSV}, not ${header === void 0 ? "a request without one" : `"${header}"`}`;
}
function createScoringServer(options) {
  const { model } = options;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    logger: false,
    // Keep-alive clients (load balancers, benchmarks) must not be cut off by a short default.
    keepAliveTimeout: 65e3,
    requestTimeout,
    http: {
      // Node checks for overdue requests every 30 s by default, which would let a short timeout
      // run up to 30 s late; headers may not take longer than the whole request.
      connectionsCheckingInterval: Math.max(50, Math.min(5e3, Math.floor(requestTimeout / 4))),
      headersTimeout: Math.min(6e4, requestTimeout)
    },
    clientErrorHandler(error, socket) {
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      const { status, body } = clientErrorAnswer(error.code);
      const text = JSON.stringify(body);
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r
Content-Type: ${CONTENT_TYPE_JSON}\r
Content-Length: ${Buffer.byteLength(text)}\r
Connection: close\r
\r
${text}`
        );
      }
      socket.destroy();
    }
  });
  const version = mlrecipeVersion();
  app.removeAllContentTypeParsers();
  for (const type of [CONTENT_TYPE_JSON, CONTENT_TYPE_CSV]) {
    app.addContentTypeParser(type, { parseAs: "string" }, (_request, body, done) => done(null, body));
  }
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ScoringRequestError)
      return sendError(reply, error.status, error.errorCode, error.message);
    const status = error.statusCode ?? 500;
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
      return sendError(reply, 415, "BAD_REQUEST", unsupportedTypeMessage(request.headers["content-type"]));
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413) {
      return sendError(
        reply,
        413,
        "INVALID_PARAMETER_VALUE",
        `the request body is larger than the server's limit of ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes; send fewer rows per request`
      );
    }
    if (status >= 400 && status < 500) return sendError(reply, status, "BAD_REQUEST", error.message);
    return sendError(reply, 500, "INTERNAL_ERROR", `the model failed to score the request: ${error.message}`);
  });
  app.setNotFoundHandler(
    (request, reply) => sendError(
      reply,
      404,
      "ENDPOINT_NOT_FOUND",
      `no endpoint ${request.method} ${request.url}; use POST /invocations, GET /ping, /health or /version`
    )
  );
  const healthy = async (_request, reply) => reply.code(200).type("text/plain").send("\n");
  app.get("/ping", healthy);
  app.get("/health", healthy);
  app.get("/version", async (_request, reply) => reply.type("text/plain").send(version));
  app.post("/invocations", async (request, reply) => {
    let predictions;
    try {
      const frame = requestFrame(request, model);
      if (frame.nRows === 0) return reply.type(CONTENT_TYPE_JSON).send(predictionsJson([]));
      predictions = model.predict(frame);
    } catch (error) {
      if (error instanceof ScoringRequestError) throw error;
      if (isMlrecipeError(error) && error.code === "DATA_ERROR") {
        throw new ScoringRequestError(400, "BAD_REQUEST", messageWithHint(error));
      }
      throw error;
    }
    return reply.type(CONTENT_TYPE_JSON).send(predictionsJson(predictions));
  });
  return app;
}

// src/server/serve.ts
var WORKER_ENV = "MLRECIPE_SCORING_WORKER";
function urlOf(host, port) {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
function checkOptions(options) {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 5001;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not ${port}`);
  }
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new UsageError(`--workers must be a whole number from 1 to 256, not ${workers}`);
  }
  return { host, port, workers };
}
async function serveModel(options) {
  const { host, port, workers } = checkOptions(options);
  const log = options.log ?? ((line) => process.stderr.write(`${line}
`));
  const { loadModelFromUri } = await import("./chunk-model-uri-5S4GTC2Q.js");
  const model = await loadModelFromUri(options.modelUri, {
    ...options.trackingUri ? { trackingUri: options.trackingUri } : {}
  });
  if (workers === 1) {
    const app = createScoringServer({
      model,
      ...options.maxBodyBytes !== void 0 ? { maxBodyBytes: options.maxBodyBytes } : {},
      ...options.requestTimeoutMs !== void 0 ? { requestTimeoutMs: options.requestTimeoutMs } : {}
    });
    await app.listen({ host, port });
    return inProcessHandle(app, { host, modelDir: model.dir, handleSignals: options.handleSignals ?? false });
  }
  return clusterHandle(
    {
      modelDir: model.dir,
      host,
      port,
      ...options.maxBodyBytes !== void 0 ? { maxBodyBytes: options.maxBodyBytes } : {},
      ...options.requestTimeoutMs !== void 0 ? { requestTimeoutMs: options.requestTimeoutMs } : {}
    },
    { workers, log, handleSignals: options.handleSignals ?? false }
  );
}
function listeningPort(app) {
  const address = app.server.address();
  if (address === null || typeof address === "string")
    throw new Error("the scoring server is not listening on TCP");
  return address.port;
}
function inProcessHandle(app, options) {
  const port = listeningPort(app);
  let closing;
  let markClosed = () => {
  };
  const closed = new Promise((resolve) => {
    markClosed = resolve;
  });
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      if (options.handleSignals) {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
      await app.close();
      markClosed();
    })();
    return closing;
  };
  if (options.handleSignals) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  return {
    url: urlOf(options.host, port),
    host: options.host,
    port,
    modelDir: options.modelDir,
    workers: 1,
    close,
    closed
  };
}
var SHUTDOWN_GRACE_MS = 1e4;
async function clusterHandle(config, options) {
  const thisFile = fileURLToPath(import.meta.url);
  const execArgv = thisFile.endsWith(".ts") ? ["--import", "tsx", ...process.execArgv] : process.execArgv;
  cluster.setupPrimary({ exec: thisFile, execArgv, args: [] });
  const live = /* @__PURE__ */ new Set();
  let shuttingDown = false;
  let sharedPort = config.port;
  let markClosed = () => {
  };
  const closed = new Promise((resolve) => {
    markClosed = resolve;
  });
  const fork = () => new Promise((resolve, reject) => {
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(config) });
    live.add(worker);
    let listening = false;
    worker.on("message", (message) => {
      if (message.type === "listening") {
        listening = true;
        options.log(`scoring worker ${worker.process.pid} listening`);
        resolve(message.port);
      } else if (message.type === "failed") {
        reject(new DataError(`a scoring worker could not start: ${message.message}`));
      }
    });
    worker.on("exit", (code, signal) => {
      live.delete(worker);
      if (!listening) {
        reject(
          new DataError(`a scoring worker exited before it listened (${signal ?? `exit code ${code}`})`)
        );
        return;
      }
      if (shuttingDown) {
        if (live.size === 0) markClosed();
        return;
      }
      options.log(
        `scoring worker ${worker.process.pid} died (${signal ?? `exit code ${code}`}); starting a new one`
      );
      fork().then(
        (port) => {
          if (port !== sharedPort)
            options.log(`the replacement worker listens on port ${port}, not ${sharedPort}`);
        },
        (error) => {
          options.log(`error: ${error.message}; stopping`);
          void close();
        }
      );
    });
  });
  let closing;
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      if (options.handleSignals) {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
      if (live.size === 0) markClosed();
      for (const worker of live) worker.send({ type: "shutdown" });
      const timer = setTimeout(() => {
        for (const worker of live) worker.process.kill("SIGKILL");
      }, SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
    })();
    return closing;
  };
  try {
    sharedPort = await fork();
    await Promise.all(Array.from({ length: options.workers - 1 }, () => fork()));
  } catch (error) {
    await close();
    throw error;
  }
  if (options.handleSignals) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  return {
    url: urlOf(config.host, sharedPort),
    host: config.host,
    port: sharedPort,
    modelDir: config.modelDir,
    workers: options.workers,
    close,
    closed
  };
}
async function runWorker(config) {
  const send = (message) => process.send?.(message);
  let app;
  try {
    const model = await loadModel(config.modelDir);
    app = createScoringServer({
      model,
      ...config.maxBodyBytes !== void 0 ? { maxBodyBytes: config.maxBodyBytes } : {},
      ...config.requestTimeoutMs !== void 0 ? { requestTimeoutMs: config.requestTimeoutMs } : {}
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    send({ type: "failed", message: error.message });
    process.exit(1);
  }
  const shutdown = () => {
    void app.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => {
  });
  process.on("SIGTERM", shutdown);
  process.on("message", (message) => {
    if (message?.type === "shutdown") shutdown();
  });
  send({ type: "listening", port: listeningPort(app) });
}
if (cluster.isWorker && process.env[WORKER_ENV]) {
  const config = JSON.parse(process.env[WORKER_ENV]);
  await runWorker(config);
}
export {
  serveModel
};
