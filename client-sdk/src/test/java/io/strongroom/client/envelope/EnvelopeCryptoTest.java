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
 * against the C2SP test vectors), the commitment and {@code K_d} are the documented HMAC-SHA256s,
 * and the nonces of both body-key modes are as documented.
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
    byte[] km = EnvelopeCrypto.messageKey(key, id);
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
  void commitmentAndDataKeyModeBodyKeyAreHmacsOfTheirLabels() throws Exception {
    byte[] dataKey = new byte[32];
    new SplittableRandom(2).nextBytes(dataKey);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(dataKey, "HmacSHA256"));
    byte[] commit = mac.doFinal("strongroom/envelope/v1/commit".getBytes(US_ASCII));
    byte[] body = mac.doFinal("strongroom/envelope/v1/body".getBytes(US_ASCII));
    assertThat(EnvelopeCrypto.commitment(dataKey)).isEqualTo(commit);
    assertThat(EnvelopeCrypto.bodyKey(dataKey)).isEqualTo(body).isNotEqualTo(commit);
  }

  @Test
  void dataKeyModeHasOneBodyKeyPerDataKeyMessageKeyModeOnePerMessage() {
    byte[] dataKey = new byte[32];
    new SplittableRandom(2).nextBytes(dataKey);
    DataKeyHolder holder = new DataKeyHolder(dataKey.clone());
    byte[] id1 = new byte[32];
    byte[] id2 = new byte[32];
    id2[0] = 1;
    byte[] kd1 = EnvelopeCrypto.bodyKey(holder, Message.BODY_KEY_DATA_KEY, id1);
    byte[] kd2 = EnvelopeCrypto.bodyKey(holder, Message.BODY_KEY_DATA_KEY, id2);
    assertThat(kd1).isSameAs(kd2).isEqualTo(EnvelopeCrypto.bodyKey(dataKey));
    byte[] km1 = EnvelopeCrypto.bodyKey(holder, Message.BODY_KEY_MESSAGE_KEY, id1);
    byte[] km2 = EnvelopeCrypto.bodyKey(holder, Message.BODY_KEY_MESSAGE_KEY, id2);
    assertThat(km1).isEqualTo(EnvelopeCrypto.messageKey(dataKey, id1)).isNotEqualTo(km2);
    assertThat(km2).isEqualTo(EnvelopeCrypto.messageKey(dataKey, id2));
    assertThat(km1).isNotEqualTo(kd1);
  }

  @Test
  void holderCachesTheSameValuesAndZeroesTheSecretOnes() {
    byte[] dataKey = new byte[32];
    new SplittableRandom(3).nextBytes(dataKey);
    byte[] id = new byte[32];
    new SplittableRandom(4).nextBytes(id);
    DataKeyHolder holder = new DataKeyHolder(dataKey.clone());
    assertThat(holder.commitment()).isEqualTo(EnvelopeCrypto.commitment(dataKey));
    assertThat(holder.bodyKey())
        .isEqualTo(EnvelopeCrypto.bodyKey(dataKey))
        .isSameAs(holder.bodyKey());
    assertThat(EnvelopeCrypto.messageKey(holder.bytes(), holder.cmacSubkey(), id))
        .isEqualTo(EnvelopeCrypto.messageKey(dataKey, id));
    byte[] k1 = holder.cmacSubkey();
    byte[] kd = holder.bodyKey();
    assertThat(k1).isNotEqualTo(new byte[16]);
    assertThat(kd).isNotEqualTo(new byte[32]);
    holder.destroy();
    assertThat(k1).containsOnly(0);
    assertThat(kd).containsOnly(0);
    assertThat(holder.bytes()).containsOnly(0);
  }

  @Test
  void dataKeyModeNoncesAreTheFirstTwelveIdBytesWithIndexAndFlagXoredIn() {
    byte[] header = header(Message.BODY_KEY_DATA_KEY);
    byte[] base = EnvelopeCrypto.nonceBase(header);
    assertThat(base).isEqualTo(Arrays.copyOfRange(header, 5, 17));
    // id[0..12) = 80 81 … 8b; segment 0x01020304 not last, then segment 0 last.
    assertThat(HEX.formatHex(EnvelopeCrypto.nonce(base, 0x01020304L, false).getIV()))
        .isEqualTo("80818283848586" + "868a8a8e" + "8b");
    assertThat(HEX.formatHex(EnvelopeCrypto.nonce(base, 0, true).getIV()))
        .isEqualTo("808182838485868788898a8a");
    assertThat(HEX.formatHex(EnvelopeCrypto.nonce(base, 0xffffffffL, true).getIV()))
        .isEqualTo("80818283848586" + "78777675" + "8a");
    assertThat(base).isEqualTo(Arrays.copyOfRange(header, 5, 17)); // the base is not modified
  }

  @Test
  void messageKeyModeNoncesAreSevenIdBytesThenIndexAndFlag() {
    byte[] header = header(Message.BODY_KEY_MESSAGE_KEY);
    byte[] base = EnvelopeCrypto.nonceBase(header);
    // id[12..19) = 8c … 92
    assertThat(HEX.formatHex(base)).isEqualTo("8c8d8e8f909192" + "0000000000");
    assertThat(HEX.formatHex(EnvelopeCrypto.nonce(base, 0x01020304L, false).getIV()))
        .isEqualTo("8c8d8e8f909192" + "01020304" + "00");
    assertThat(HEX.formatHex(EnvelopeCrypto.nonce(base, 7, true).getIV()))
        .isEqualTo("8c8d8e8f909192" + "00000007" + "01");
  }

  /** Magic, version, the mode, then the id 80 81 … 9f, and a little more. */
  private static byte[] header(int mode) {
    byte[] h = new byte[64];
    h[0] = 'S';
    h[1] = 'R';
    h[2] = 'E';
    h[3] = 1;
    h[4] = (byte) mode;
    for (int i = 0; i < 32; i++) {
      h[5 + i] = (byte) (0x80 + i);
    }
    return h;
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
