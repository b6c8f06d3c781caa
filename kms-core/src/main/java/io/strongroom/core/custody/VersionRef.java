package io.strongroom.core.custody;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Names one key version of one tenant, for custodians and caches. */
public record VersionRef(String tenant, String keyId, int version) {

  /**
   * Additional data that binds wrapped material to this version: {@code label ‖ 0x00 ‖ uint16 len ‖
   * tenant ‖ keyId (hex, ASCII) ‖ uint32 version}.
   */
  public byte[] bindingAad(String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    byte[] k = keyId.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(l.length + 1 + 2 + t.length + k.length + 4)
        .put(l)
        .put((byte) 0)
        .putShort((short) t.length)
        .put(t)
        .put(k)
        .putInt(version)
        .array();
  }
}
