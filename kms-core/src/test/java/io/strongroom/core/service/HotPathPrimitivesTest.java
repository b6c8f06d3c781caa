package io.strongroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.crypto.Drbg;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cheaper forms of the request path's checks keep their meaning. */
class HotPathPrimitivesTest {
  private static final String GOOD = "srt_" + "A".repeat(20) + "z9_-" + "0".repeat(19);

  @Test
  void tokenFormIsPrefixAnd43Base64UrlCharacters() {
    assertThat(GOOD).hasSize(47);
    assertThat(IdentityService.wellFormed(GOOD)).isTrue();
    assertThat(IdentityService.wellFormed(null)).isFalse();
    assertThat(IdentityService.wellFormed("")).isFalse();
    assertThat(IdentityService.wellFormed(GOOD.substring(0, 46))).isFalse();
    assertThat(IdentityService.wellFormed(GOOD + "A")).isFalse();
    assertThat(IdentityService.wellFormed("srx_" + GOOD.substring(4))).isFalse();
    assertThat(IdentityService.wellFormed("SRT_" + GOOD.substring(4))).isFalse();
    for (char bad : "+/=. \u00e9\0\n".toCharArray()) {
      assertThat(IdentityService.wellFormed(GOOD.substring(0, 10) + bad + GOOD.substring(11)))
          .as("character U+%04X", (int) bad)
          .isFalse();
    }
  }

  @Test
  void tokenDigestIsSha256AndReusable() {
    String hello = HexFormat.of().formatHex(IdentityService.sha256("hello"));
    assertThat(hello).isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    assertThat(HexFormat.of().formatHex(IdentityService.sha256("hello"))).isEqualTo(hello);
  }

  @Test
  void dataKeysComeFromA256BitDrbg() {
    SecureRandom drbg = Drbg.create();
    assertThat(drbg.getAlgorithm()).isEqualTo("DRBG");
    DrbgParameters.Instantiation p = (DrbgParameters.Instantiation) drbg.getParameters();
    assertThat(p.getStrength()).isEqualTo(256);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      byte[] k = new byte[32];
      drbg.nextBytes(k);
      assertThat(seen.add(HexFormat.of().formatHex(k))).isTrue();
    }
  }
}
