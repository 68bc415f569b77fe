// A socket whose session ends — its device signed out from another one — hears `error`
// `unauthorized` and is disconnected by the server at once, not when its token expires.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { connect, next } from "../lib/sio.mjs";

describe("Socket.IO and ended sessions", () => {
  const hearth = serveHearth();

  it("disconnects a signed-out device's socket at once", async () => {
    const laptop = await hearth.rest.user("alice");
    const login = await hearth.rest.call("POST", "/v1/auth/login", {
      body: { username: laptop.username, password: "correct horse battery", device_name: "phone" },
    });
    const phone = { ...laptop, token: login.tokens.access_token };
    const laptopSocket = await connect(hearth.base, laptop);
    const phoneSocket = await connect(hearth.base, phone);
    const told = next(laptopSocket, "error");
    const gone = new Promise((resolve) => laptopSocket.once("disconnect", resolve));

    await hearth.rest.call("POST", "/v1/auth/sessions/revoke-others", { token: phone.token, body: {} });

    const error = await told;
    assert.equal(error.code, "unauthorized");
    assert.match(error.message, /session has ended/);
    assert.equal(await gone, "io server disconnect");
    assert.equal(phoneSocket.connected, true, "the device that asked stays connected");
    phoneSocket.close();
  });
});
