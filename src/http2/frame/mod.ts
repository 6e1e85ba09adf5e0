/**
 * HTTP/2 frame layer (RFC 9113 §4, §6): pure encoders and decoders for
 * every frame type, an incremental {@linkcode FrameDecoder} (bytes to
 * frames, with CONTINUATION assembly and the connection/stream error split)
 * and a {@linkcode FrameWriter} (frames to one buffer). Header blocks are
 * opaque HPACK bytes here. No I/O, no runtime-specific APIs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameDecoder, FrameType, FrameWriter } from "./mod.ts";
 *
 * const writer = new FrameWriter();
 * writer.writeSettings({ enablePush: false, initialWindowSize: 1048576 });
 * writer.writeHeaders(1, new Uint8Array([0x83, 0x84]), false);
 * writer.writeData(1, new TextEncoder().encode("{}"), true);
 *
 * const frames = new FrameDecoder().push(writer.take());
 * assert.deepEqual(frames.map((f) => f.type), [
 *   FrameType.SETTINGS,
 *   FrameType.HEADERS,
 *   FrameType.DATA,
 * ]);
 * const settings = frames[0];
 * assert.ok(settings.type === FrameType.SETTINGS);
 * assert.deepEqual(settings.settings, {
 *   enablePush: false,
 *   initialWindowSize: 1048576,
 * });
 * ```
 *
 * @module
 */

export * from "./types.ts";
export * from "./error.ts";
export type * from "./frame.ts";
export * from "./data.ts";
export * from "./headers.ts";
export * from "./priority.ts";
export * from "./rst_stream.ts";
export * from "./settings.ts";
export * from "./push_promise.ts";
export * from "./ping.ts";
export * from "./goaway.ts";
export * from "./window_update.ts";
export * from "./continuation.ts";
export * from "./continuation_assembler.ts";
export * from "./frame_decoder.ts";
export * from "./frame_writer.ts";
