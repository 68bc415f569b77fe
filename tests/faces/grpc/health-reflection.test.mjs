// gRPC on the HTTP port: the standard health service answers SERVING, and server reflection
// lists Hearth's services and serves their descriptors, to the stock grpc-js client.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { call, client, packages } from "../lib/grpc.mjs";

const { health, reflection } = packages();

/** One reflection request on the bidirectional stream, its one answer. */
function reflect(stub, request) {
  return new Promise((resolvePromise, reject) => {
    const stream = stub.ServerReflectionInfo();
    stream.once("data", (answer) => {
      resolvePromise(answer);
      stream.end();
    });
    stream.once("error", reject);
    stream.write(request);
  });
}

describe("health and reflection", () => {
  const hearth = serveHearth();

  it("reports SERVING for the server and for MessengerService", async () => {
    const stub = client(health.Health, hearth.base);
    for (const service of ["", "hearth.v1.MessengerService"]) {
      const answer = await call(stub, "Check", { service });
      assert.equal(answer.status, "SERVING", service);
    }
    stub.close();
  });

  it("lists the services by reflection", async () => {
    const stub = client(reflection.ServerReflection, hearth.base);
    const answer = await reflect(stub, { list_services: "" });
    const names = answer.list_services_response.service.map((s) => s.name);
    for (const name of ["hearth.v1.MessengerService", "hearth.v1.FederationService", "grpc.health.v1.Health"]) {
      assert.ok(names.includes(name), `${name} in ${names}`);
    }
    stub.close();
  });

  it("serves the descriptor of MessengerService by reflection", async () => {
    const stub = client(reflection.ServerReflection, hearth.base);
    const answer = await reflect(stub, { file_containing_symbol: "hearth.v1.MessengerService" });
    const files = answer.file_descriptor_response.file_descriptor_proto;
    assert.ok(files.length >= 1);
    assert.ok(Buffer.concat(files).includes("SendMessageRequest"));
    stub.close();
  });
});
