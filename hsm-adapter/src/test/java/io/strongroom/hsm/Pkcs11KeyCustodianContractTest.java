package io.strongroom.hsm;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.KeyCustodianContract;
import io.strongroom.hsm.testing.SoftHsm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The custodian contract on a real SoftHSM2 token through SunPKCS11. */
class Pkcs11KeyCustodianContractTest extends KeyCustodianContract {
  private static Pkcs11Token token;
  private static Pkcs11KeyCustodian custodian;

  @BeforeAll
  static void open() throws Exception {
    token = Pkcs11Token.open(SoftHsm.config("strongroom-test"), new SimpleMeterRegistry());
    token.ensureProbeKey();
    custodian = new Pkcs11KeyCustodian(token);
  }

  @AfterAll
  static void close() {
    token.close();
  }

  @Override
  protected KeyCustodian custodian() {
    return custodian;
  }

  @Override
  protected ProtectionLevel expectedLevel() {
    return ProtectionLevel.HSM;
  }

  @Override
  protected boolean destroyRemovesMaterial() {
    return true;
  }
}
