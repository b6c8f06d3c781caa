package io.strongroom.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyMaterialTest {
  @Test
  void destroyZeroesTheOwnedArrayAndDisablesThePrimitive() throws Exception {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) 0x42);
    KeyMaterial m = new KeyMaterial(bytes);
    byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
    byte[] ct = m.aead().encrypt(new byte[] {1, 2, 3}, aad);

    m.destroy();

    assertThat(m.isDestroyed()).isTrue();
    assertThat(bytes).containsOnly(0);
    assertThatThrownBy(m::aead).isInstanceOf(GeneralSecurityException.class);
    assertThat(ct).hasSize(3 + XAesGcm.OVERHEAD);
  }

  @Test
  void neverPrintsItsBytes() throws Exception {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) 0x41);
    assertThat(new KeyMaterial(bytes).toString())
        .isEqualTo("KeyMaterial[REDACTED]")
        .doesNotContain("41")
        .doesNotContain("AAAA");
  }

  @Test
  void wrongKeyLengthIsRefused() {
    assertThatThrownBy(() -> new KeyMaterial(new byte[31]))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> XAesGcm.create(new byte[16]))
        .isInstanceOf(GeneralSecurityException.class);
  }
}
