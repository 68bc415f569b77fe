import { describe, expect, it } from "vitest";
import { describeProviderError, parseProviderReturn } from "./provider-return";

describe("the way back from an identity provider", () => {
  it("reads a sign-in's one-time code", () => {
    expect(parseProviderReturn("#sign_in=abc-123")).toEqual({ kind: "signed_in", code: "abc-123" });
  });

  it("reads a link", () => {
    expect(parseProviderReturn("#linked=google")).toEqual({ kind: "linked", provider: "google" });
  });

  it("turns a failure's reason into words", () => {
    expect(parseProviderReturn("#sign_in_error=invalid_state")).toEqual({
      kind: "failed",
      message: describeProviderError("invalid_state"),
    });
    expect(describeProviderError("something_new")).toMatch(/failed/);
  });

  it("leaves other fragments alone", () => {
    expect(parseProviderReturn("")).toBeNull();
    expect(parseProviderReturn("#section-2")).toBeNull();
  });
});
