package io.strongroom.core.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What every {@link RootKey} promises; each implementation's test class extends this. */
public abstract class RootKeyContract {
  private static final byte[] AAD = "strongroom/test".getBytes(StandardCharsets.US_ASCII);

  protected abstract RootKey rootKey();

  @Test
  void wrapsAndUnwraps() throws Exception {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    byte[] wrapped = rootKey().wrap(secret, AAD);
    assertThat(rootKey().unwrap(wrapped, AAD)).isEqualTo(secret);
    assertThat(rootKey().wrap(secret, AAD)).isNotEqualTo(wrapped);
    assertThat(rootKey().describe()).isNotBlank();
    rootKey().checkHealth();
  }

  @Test
  void refusesAnythingAltered() throws Exception {
    byte[] wrapped = rootKey().wrap(new byte[32], AAD);
    for (int i = 0; i < wrapped.length; i++) {
      byte[] t = wrapped.clone();
      t[i] ^= (byte) 0x80;
      assertThatThrownBy(() -> rootKey().unwrap(t, AAD))
          .isInstanceOf(GeneralSecurityException.class);
    }
    for (int n = 0; n < wrapped.length; n++) {
      byte[] t = Arrays.copyOf(wrapped, n);
      assertThatThrownBy(() -> rootKey().unwrap(t, AAD))
          .isInstanceOf(GeneralSecurityException.class);
    }
    assertThatThrownBy(() -> rootKey().unwrap(wrapped, "other".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(GeneralSecurityException.class);
  }
}
