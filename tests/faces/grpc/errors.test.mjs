// Refusals on the gRPC face: the status code of the error table and the stable code in the
// `hearth-code` trailer; service tokens (made by `hearth admin service-token`); federation,
// which is not implemented yet.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { Status, call, client, packages, refusal } from "../lib/grpc.mjs";

const { hearth: v1 } = packages();

describe("gRPC refusals and service tokens", () => {
  const hearth = serveHearth();
  const messenger = () => client(v1.MessengerService, hearth.base);
  const send = (dm, senderId, content = "hi") => ({
    conversation_id: dm,
    sender_id: senderId,
    content,
    client_message_id: randomUUID(),
  });

  it("refuses a call without a token with UNAUTHENTICATED", async () => {
    const { alice, dm } = await hearth.rest.pair();
    const stub = messenger();

    const error = await refusal(call(stub, "SendMessage", send(dm, alice.id), null));

    assert.equal(error.code, Status.UNAUTHENTICATED);
    assert.equal(error.hearthCode, "unauthorized");
    stub.close();
  });

  it("refuses a user token naming another sender with PERMISSION_DENIED", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const stub = messenger();

    const error = await refusal(call(stub, "SendMessage", send(dm, bob.id), alice.token));

    assert.equal(error.code, Status.PERMISSION_DENIED);
    assert.equal(error.hearthCode, "forbidden");
    stub.close();
  });

  it("refuses a non-member's send with PERMISSION_DENIED", async () => {
    const { dm } = await hearth.rest.pair();
    const carol = await hearth.rest.user("carol");
    const stub = messenger();

    const error = await refusal(call(stub, "SendMessage", send(dm, carol.id), carol.token));

    assert.equal(error.code, Status.PERMISSION_DENIED);
    assert.equal(error.hearthCode, "forbidden");
    stub.close();
  });

  it("refuses empty content with INVALID_ARGUMENT naming the field", async () => {
    const { alice, dm } = await hearth.rest.pair();
    const stub = messenger();

    const error = await refusal(call(stub, "SendMessage", send(dm, alice.id, ""), alice.token));

    assert.equal(error.code, Status.INVALID_ARGUMENT);
    assert.equal(error.hearthCode, "validation_failed");
    const [details] = error.metadata.get("hearth-details-bin");
    assert.ok("content" in JSON.parse(details.toString()));
    stub.close();
  });

  it("refuses an unknown conversation with NOT_FOUND", async () => {
    const alice = await hearth.rest.user("alice");
    const stub = messenger();

    const error = await refusal(call(stub, "GetConversationHistory", { conversation_id: randomUUID() }, alice.token));

    assert.equal(error.code, Status.NOT_FOUND);
    assert.equal(error.hearthCode, "not_found");
    stub.close();
  });

  it("lets a service token send as the user it names", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const token = hearth.server.serviceToken("node-bridge");
    const stub = messenger();

    const sent = await call(stub, "SendMessage", send(dm, alice.id, "bridged"), token);

    const page = await hearth.rest.call("GET", `/v1/conversations/${dm}/messages`, { token: bob.token });
    const stored = page.messages.find((m) => m.id === sent.message_id);
    assert.equal(stored.sender_id, alice.id);
    stub.close();
  });

  it("refuses a service token on REST", async () => {
    const token = hearth.server.serviceToken("node-bridge");

    await hearth.rest.call("GET", "/v1/users/me", { token, expect: [401] });
  });

  it("answers FederationService with UNIMPLEMENTED", async () => {
    const alice = await hearth.rest.user("alice");
    const stub = client(v1.FederationService, hearth.base);

    const error = await refusal(call(stub, "DiscoverInstance", { cpc_address: "bob@elsewhere.cpc" }, alice.token));

    assert.equal(error.code, Status.UNIMPLEMENTED);
    assert.match(error.details, /federation/);
    stub.close();
  });
});
