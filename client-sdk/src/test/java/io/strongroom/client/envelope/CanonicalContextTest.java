package io.strongroom.client.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK's context encoding is the server's (docs/FORMATS.md §3), re-implemented. */
class CanonicalContextTest {
  static final HexFormat HEX = HexFormat.of();

  @Test
  void matchesTheDocumentedExample() {
    assertThat(
            HEX.formatHex(
                CanonicalContext.of(Map.of("volume", "vol-0001", "purpose", "backup")).encoded()))
        .isEqualTo(
            "0002"
                + "0007707572706f7365"
                + "00066261636b7570"
                + "0006766f6c756d65"
                + "0008766f6c2d30303031");
    assertThat(CanonicalContext.of(null).encoded()).containsExactly(0, 0);
    assertThat(CanonicalContext.of(Map.of())).isEqualTo(CanonicalContext.of(null));
  }

  @Test
  void sortsByUtf8BytesNotUtf16() throws IOException {
    Map<String, String> m = new HashMap<>();
    m.put("\ud83d\ude00", "1"); // U+1F600, f0 9f 98 80
    m.put("\uff61", "2"); // U+FF61, ef bd a1
    CanonicalContext c = CanonicalContext.of(m);
    assertThat(c.entries().keySet()).containsExactly("\uff61", "\ud83d\ude00");
    assertThat(HEX.formatHex(c.encoded()))
        .isEqualTo("0002" + "0003efbda1" + "000132" + "0004f09f9880" + "000131");
    // and it parses back to itself
    CanonicalContext back =
        CanonicalContext.read(HeaderReader.of(new ByteArrayInputStream(c.encoded())));
    assertThat(back).isEqualTo(c);
    assertThat(back.entries()).isEqualTo(m);
  }
}
