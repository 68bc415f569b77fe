// Small real files for the attachment cases of every face.

/** The smallest real PNG: one transparent pixel. */
export const PNG = Uint8Array.from(
  Buffer.from(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001" +
      "0d0a2db40000000049454e44ae426082",
    "hex",
  ),
);
