package io.strongroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.hsm.testing.SoftHsm;
import io.strongroom.server.testing.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PKCS#11 options of {@code strongroom-server}: root key creation and start-up failures. */
class HsmCommandTest {
  private static final String TOKEN = "strongroom-extra";
  @TempDir Path dir;
  private Path pin;

  @BeforeEach
  void pinFile() throws Exception {
    SoftHsm.setUp();
    pin = dir.resolve("pin");
    Files.writeString(pin, SoftHsm.PIN + "\n");
  }

  private List<String> pkcs11(String token, Path pinFile) {
    return List.of(
        "--data-dir",
        dir.resolve("data").toString(),
        "--port",
        "0",
        "--pkcs11-library",
        SoftHsm.library().toString(),
        "--pkcs11-token-label",
        token,
        "--pkcs11-pin-file",
        pinFile.toString());
  }

  private static CommandRun run(List<String> base, String... more) {
    List<String> args = new ArrayList<>(base);
    args.addAll(List.of(more));
    return CommandRun.inProcess(args.toArray(String[]::new));
  }

  @Test
  void initCreatesWhatIsMissingOnceAndNeverReplacesIt() {
    String label = "cmd-root-" + System.nanoTime();
    String[] init = {"--root-key", "pkcs11", "--pkcs11-root-label", label, "--pkcs11-init"};
    CommandRun first = run(pkcs11(TOKEN, pin), init);
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("token: PKCS#11 token '" + TOKEN + "'")
        .contains("root key '" + label + "'")
        .containsPattern("(created|found  ) health-probe key 'strongroom-health-probe'")
        .contains("created root key '" + label + "'");

    CommandRun again = run(pkcs11(TOKEN, pin), init);
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out())
        .contains("found   health-probe key 'strongroom-health-probe'")
        .contains("found   root key '" + label + "'");
  }

  @Test
  void aMissingRootKeyStopsStartAndSaysHowToCreateIt() {
    assertThat(run(pkcs11(TOKEN, pin), "--pkcs11-init").exitCode()).isZero();
    CommandRun r =
        run(pkcs11(TOKEN, pin), "--root-key", "pkcs11", "--pkcs11-root-label", "absent-root");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .contains("error: the server could not start: no root key labelled 'absent-root'")
        .contains("--pkcs11-init --root-key pkcs11")
        .doesNotContain("Exception");
  }

  @Test
  void aTokenNotPreparedStopsStartAndSaysHowToPrepareIt() {
    // nothing has ever created objects in this token
    CommandRun r = run(pkcs11("strongroom-bare", pin));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .contains("has no health-probe key 'strongroom-health-probe'")
        .contains("--pkcs11-init");
  }

  @Test
  void aWrongPinStopsStart() throws Exception {
    Path wrong = dir.resolve("wrong-pin");
    Files.writeString(wrong, "0000\n");
    CommandRun r = run(pkcs11(SoftHsm.NEVER_LOGGED_IN, wrong));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: the server could not start: login to PKCS#11 token '"
                + SoftHsm.NEVER_LOGGED_IN
                + "' failed: wrong PIN (CKR_PIN_INCORRECT)"
                + System.lineSeparator());
  }

  @Test
  void aMissingTokenStopsStart() {
    CommandRun r = run(pkcs11("no-such-token", pin));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .contains("error: the server could not start: no PKCS#11 token labelled 'no-such-token'")
        .contains("'" + TOKEN + "'");
  }

  @Test
  void configurationMistakesAreUsageErrors() {
    CommandRun noLibrary = run(List.of("--data-dir", dir.toString(), "--root-key", "pkcs11"));
    assertThat(noLibrary.exitCode()).isEqualTo(2);
    assertThat(noLibrary.err()).contains("need --pkcs11-library");
    assertThat(run(List.of("--data-dir", dir.toString(), "--pkcs11-init")).exitCode()).isEqualTo(2);

    CommandRun emptyPin =
        run(
            List.of(
                "--data-dir",
                dir.toString(),
                "--pkcs11-library",
                SoftHsm.library().toString(),
                "--pkcs11-token-label",
                TOKEN,
                "--pkcs11-pin-env",
                "STRONGROOM_TEST_UNSET_PIN_VARIABLE"));
    assertThat(emptyPin.exitCode()).isEqualTo(2);
    assertThat(emptyPin.err())
        .contains("PIN in environment variable STRONGROOM_TEST_UNSET_PIN_VARIABLE is missing");

    CommandRun missingPinFile = run(pkcs11(TOKEN, dir.resolve("nope")));
    assertThat(missingPinFile.exitCode()).isEqualTo(2);

    CommandRun badRootKind = run(List.of("--data-dir", dir.toString(), "--root-key", "tpm"));
    assertThat(badRootKind.exitCode()).isEqualTo(2);
    assertThat(badRootKind.err()).contains("--root-key must be 'file' or 'pkcs11'");
  }
}
