package io.strongroom.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link XAesGcm} is XAES-256-GCM as specified at c2sp.org/XAES-256-GCM, with the output layout its
 * Javadoc states (24-byte nonce = 12-byte salt ‖ 12-byte GCM nonce, then ciphertext ‖ tag).
 */
class XAesGcmTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] NONCE =
      "ABCDEFGHIJKLMNOPQRSTUVWX".getBytes(StandardCharsets.US_ASCII);

  @Test
  void c2spVectorWithoutAad() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 0x01);
    Aead aead = XAesGcm.create(key);
    byte[] ct = HEX.parseHex("ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271");
    assertThat(new String(aead.decrypt(concat(NONCE, ct), new byte[0]), StandardCharsets.US_ASCII))
        .isEqualTo("XAES-256-GCM");
  }

  @Test
  void c2spVectorWithAad() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 0x03);
    Aead aead = XAesGcm.create(key);
    byte[] ct = HEX.parseHex("986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d");
    byte[] aad = "c2sp.org/XAES-256-GCM".getBytes(StandardCharsets.US_ASCII);
    assertThat(new String(aead.decrypt(concat(NONCE, ct), aad), StandardCharsets.US_ASCII))
        .isEqualTo("XAES-256-GCM");
    assertThatThrownBy(() -> aead.decrypt(concat(NONCE, ct), new byte[0]))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void outputIsSaltNonceCiphertextTag() throws Exception {
    Aead aead = XAesGcm.create(new byte[32]);
    byte[] a = aead.encrypt(new byte[7], new byte[0]);
    byte[] b = aead.encrypt(new byte[7], new byte[0]);
    assertThat(a).hasSize(7 + XAesGcm.OVERHEAD);
    assertThat(Arrays.copyOf(a, 24)).isNotEqualTo(Arrays.copyOf(b, 24));
  }

  @Test
  void keyMustBe32Bytes() {
    for (int n : new int[] {0, 16, 31, 33, 64}) {
      assertThatThrownBy(() -> XAesGcm.create(new byte[n]))
          .isInstanceOf(GeneralSecurityException.class);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
