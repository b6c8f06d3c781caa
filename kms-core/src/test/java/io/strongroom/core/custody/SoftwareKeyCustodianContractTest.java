package io.strongroom.core.custody;

import io.strongroom.core.ProtectionLevel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class SoftwareKeyCustodianContractTest extends KeyCustodianContract {
  @TempDir Path dir;
  private LocalFileRootKey root;
  private SoftwareKeyCustodian custodian;

  @BeforeEach
  void setUp() throws Exception {
    root = LocalFileRootKey.loadOrCreate(dir.resolve("root.key"));
    custodian = new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 100);
  }

  @Override
  protected KeyCustodian custodian() {
    return custodian;
  }

  @Override
  protected KeyCustodian freshCustodianView() {
    return new SoftwareKeyCustodian(root, Duration.ofMinutes(5), 100);
  }

  @Override
  protected ProtectionLevel expectedLevel() {
    return ProtectionLevel.SOFTWARE;
  }

  @Override
  protected boolean destroyRemovesMaterial() {
    return false;
  }
}
