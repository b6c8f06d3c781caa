package io.strongroom.client.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.subtle.Hkdf;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The envelope's HKDF-SHA256 is RFC 5869's, and equals Tink's {@code Hkdf}. */
class Hkdf256Test {
  static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc5869TestCase1() {
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    byte[] prk = Hkdf256.extract(salt, ikm);
    assertThat(HEX.formatHex(prk))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    // The RFC's OKM is 42 bytes; its first 32 are T(1).
    assertThat(HEX.formatHex(Hkdf256.expand32(prk, info)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
  }

  @Test
  void equalsTinksHkdf() throws Exception {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      byte[] ikm = new byte[32];
      byte[] salt = new byte[32];
      byte[] info = new byte[r.nextInt(0, 300)];
      r.nextBytes(ikm);
      r.nextBytes(salt);
      r.nextBytes(info);
      assertThat(Hkdf256.expand32(Hkdf256.extract(salt, ikm), info))
          .isEqualTo(Hkdf.computeHkdf("HMACSHA256", ikm, salt, info, 32));
    }
  }

  @Test
  void deriveIsTheDocumentedPairOfHkdfs() throws Exception {
    byte[] dataKey = new byte[32];
    byte[] id = new byte[32];
    new SplittableRandom(2).nextBytes(dataKey);
    new SplittableRandom(3).nextBytes(id);
    EnvelopeCrypto.MessageKeys keys = EnvelopeCrypto.derive(dataKey, id);
    assertThat(keys.commitment)
        .isEqualTo(Hkdf.computeHkdf("HMACSHA256", dataKey, id, Message.INFO_COMMIT, 32));
    assertThat(keys.messageKey)
        .isEqualTo(Hkdf.computeHkdf("HMACSHA256", dataKey, id, Message.INFO_KEY, 32));
  }
}
