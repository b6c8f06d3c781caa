package io.strongroom.core.custody;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class LocalFileRootKeyContractTest extends RootKeyContract {
  @TempDir Path dir;
  private LocalFileRootKey root;

  @BeforeEach
  void setUp() throws Exception {
    root = LocalFileRootKey.loadOrCreate(dir.resolve("root.key"));
  }

  @Override
  protected RootKey rootKey() {
    return root;
  }
}
