// gRPC clients for the face tests: the stock @grpc/grpc-js client, with the repository's
// protos (proto/hearth/v1) compiled at run time by @grpc/proto-loader, plus the standard health
// and reflection protos (grpc/protos, copied from grpc-proto). Calls are promises; a refusal
// rejects with grpc-js's error ({code, details, metadata}).
import { join, resolve } from "node:path";

import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const repo = resolve(import.meta.dirname, "../../..");

const LOADER = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [join(repo, "proto"), resolve(import.meta.dirname, "../grpc/protos")],
};

/** The loaded packages: `hearth.v1`, `grpc.health.v1`, `grpc.reflection.v1`. */
export function packages() {
  const definition = protoLoader.loadSync(
    ["hearth/v1/messenger.proto", "hearth/v1/federation.proto", "health.proto", "reflection_v1.proto"],
    LOADER,
  );
  const loaded = grpc.loadPackageDefinition(definition);
  return { hearth: loaded.hearth.v1, health: loaded.grpc.health.v1, reflection: loaded.grpc.reflection.v1 };
}

/** A client of `Service` (a loaded service constructor) to the server at `base` (h2c). */
export function client(Service, base) {
  return new Service(new URL(base).host, grpc.credentials.createInsecure());
}

/** Calls a unary `method` with `authorization: Bearer <token>` (none when `token` is null). */
export function call(stub, method, request, token) {
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolvePromise, reject) => {
    stub[method](request, metadata, (error, response) => (error ? reject(error) : resolvePromise(response)));
  });
}

/** The error a call rejected with, with its `hearth-code` trailer as `hearthCode`. */
export async function refusal(promise) {
  try {
    const answer = await promise;
    throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`);
  } catch (error) {
    if (error.code === undefined) throw error;
    const [hearthCode] = error.metadata?.get("hearth-code") ?? [];
    return Object.assign(error, { hearthCode });
  }
}

export const { status: Status } = grpc;
