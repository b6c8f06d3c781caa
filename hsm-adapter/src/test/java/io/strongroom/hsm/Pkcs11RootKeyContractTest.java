package io.strongroom.hsm;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.custody.RootKey;
import io.strongroom.core.custody.RootKeyContract;
import io.strongroom.hsm.testing.SoftHsm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The root key contract on a real SoftHSM2 token. */
class Pkcs11RootKeyContractTest extends RootKeyContract {
  private static Pkcs11Token token;
  private static Pkcs11RootKey root;

  @BeforeAll
  static void open() throws Exception {
    token = Pkcs11Token.open(SoftHsm.config("strongroom-test"), new SimpleMeterRegistry());
    token.ensureProbeKey();
    root = Pkcs11RootKey.create(token, "root-contract-" + System.nanoTime());
  }

  @AfterAll
  static void close() {
    token.close();
  }

  @Override
  protected RootKey rootKey() {
    return root;
  }
}
