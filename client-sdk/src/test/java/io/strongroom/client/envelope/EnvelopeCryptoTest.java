package io.strongroom.client.envelope;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The derivations of envelope message v1: {@code K_m} is the derived key of XAES-256-GCM (checked
 * against the C2SP test vectors), and the commitment is the documented HMAC-SHA256.
 */
class EnvelopeCryptoTest {
  static final HexFormat HEX = HexFormat.of();
  static final byte[] C2SP_NONCE = "ABCDEFGHIJKLMNOPQRSTUVWX".getBytes(US_ASCII);

  @Test
  void messageKeyIsTheXaes256GcmDerivedKeyWithoutAad() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 0x01);
    assertThat(
            xaesOpen(
                key, HEX.parseHex("ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271"), ""))
        .isEqualTo("XAES-256-GCM");
  }

  @Test
  void messageKeyIsTheXaes256GcmDerivedKeyWithAad() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 0x03);
    assertThat(
            xaesOpen(
                key,
                HEX.parseHex("986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d"),
                "c2sp.org/XAES-256-GCM"))
        .isEqualTo("XAES-256-GCM");
  }

  /** XAES-256-GCM decryption: K_m from the first 12 nonce bytes, AES-GCM with the last 12. */
  private static String xaesOpen(byte[] key, byte[] ciphertext, String aad) throws Exception {
    byte[] id = Arrays.copyOf(C2SP_NONCE, 32); // the message id's first 12 bytes are the salt
    byte[] km = EnvelopeCrypto.derive(key, id).messageKey;
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(km, "AES"),
        new GCMParameterSpec(128, Arrays.copyOfRange(C2SP_NONCE, 12, 24)));
    gcm.updateAAD(aad.getBytes(US_ASCII));
    return new String(gcm.doFinal(ciphertext), US_ASCII);
  }

  @Test
  void cmacSubkeyIsRfc4493s() {
    // RFC 4493 §4 uses AES-128; the doubling is the same, so check it on AES-256 against a direct
    // computation from L = AES(K, 0) for keys with both values of L's top bit.
    SplittableRandom r = new SplittableRandom(7);
    boolean[] seen = new boolean[2];
    for (int i = 0; i < 64; i++) {
      byte[] key = new byte[32];
      r.nextBytes(key);
      byte[] l = aes(key, new byte[16]);
      java.math.BigInteger v = new java.math.BigInteger(1, l).shiftLeft(1);
      if (v.testBit(128)) {
        v = v.clearBit(128).xor(java.math.BigInteger.valueOf(0x87));
      }
      byte[] want = new byte[16];
      byte[] raw = v.toByteArray();
      int n = Math.min(raw.length, 16);
      System.arraycopy(raw, raw.length - n, want, 16 - n, n);
      assertThat(EnvelopeCrypto.cmacSubkey(key)).isEqualTo(want);
      seen[(l[0] & 0x80) >>> 7] = true;
    }
    assertThat(seen).containsOnly(true);
  }

  @Test
  void commitmentIsHmacOfTheLabelAndTheSameForEveryMessage() throws Exception {
    byte[] dataKey = new byte[32];
    new SplittableRandom(2).nextBytes(dataKey);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(dataKey, "HmacSHA256"));
    byte[] want = mac.doFinal("strongroom/envelope/v1/commit".getBytes(US_ASCII));
    byte[] id1 = new byte[32];
    byte[] id2 = new byte[32];
    id2[0] = 1;
    assertThat(EnvelopeCrypto.derive(dataKey, id1).commitment).isEqualTo(want);
    assertThat(EnvelopeCrypto.derive(dataKey, id2).commitment).isEqualTo(want);
    assertThat(EnvelopeCrypto.derive(dataKey, id1).messageKey)
        .isNotEqualTo(EnvelopeCrypto.derive(dataKey, id2).messageKey);
  }

  @Test
  void holderCachesTheSameValuesAndZeroesTheSubkey() {
    byte[] dataKey = new byte[32];
    new SplittableRandom(3).nextBytes(dataKey);
    byte[] id = new byte[32];
    new SplittableRandom(4).nextBytes(id);
    EnvelopeCrypto.MessageKeys direct = EnvelopeCrypto.derive(dataKey, id);
    DataKeyHolder holder = new DataKeyHolder(dataKey.clone());
    EnvelopeCrypto.MessageKeys cached = EnvelopeCrypto.derive(holder, id);
    assertThat(cached.commitment).isEqualTo(direct.commitment);
    assertThat(cached.messageKey).isEqualTo(direct.messageKey);
    byte[] k1 = holder.cmacSubkey();
    holder.destroy();
    assertThat(k1).containsOnly(0);
    assertThat(holder.bytes()).containsOnly(0);
  }

  private static byte[] aes(byte[] key, byte[] block) {
    try {
      Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
      ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
      return ecb.doFinal(block);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
